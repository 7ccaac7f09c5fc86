// GET /v1/events, the bridge's Server-Sent Events, read with fetch (not EventSource): the
// client decides when to reconnect, says so to the page, and never gives up while the
// page keeps the stream, so that a bridge restarted (or a stream dropped, or silent past
// its heartbeats) is followed again without the page doing anything.

import type { components } from "./openapi.js";

type Schemas = components["schemas"];

/** The events of the stream, each with its data. */
export interface EventMap {
  state: Schemas["StateData"];
  reader_added: Schemas["ReaderEventData"];
  reader_removed: Schemas["ReaderEventData"];
  card_inserted: Schemas["ReaderEventData"];
  card_removed: Schemas["ReaderEventData"];
  pcsc_unavailable: Schemas["ReaderEventData"];
  pcsc_available: Schemas["ReaderEventData"];
  heartbeat: Schemas["HeartbeatData"];
}
export type EventName = keyof EventMap;

/** Where the stream is: `connecting` (first time), `open` (its `state` event came),
 * `reconnecting` (lost; next try in `retryInMs`), `closed` (the page closed it). */
export type StreamStatus =
  | { state: "connecting" }
  | { state: "open" }
  | { state: "reconnecting"; retryInMs: number; reason: string }
  | { state: "closed" };

export interface StreamOptions {
  /** Called for every event; `state` comes first on each (re)connection. */
  onEvent?: <K extends EventName>(name: K, data: EventMap[K]) => void;
  onStatus?: (status: StreamStatus) => void;
  /** Silence after which the stream is taken for dead and reconnected (the bridge sends a
   * heartbeat every 15 s when nothing happens). */
  idleTimeoutMs?: number;
  /** First wait before reconnecting (the bridge's `retry`, 2 s, replaces it), doubled up
   * to `maxRetryMs` while the bridge stays away. */
  retryMs?: number;
  maxRetryMs?: number;
}

/** A live event stream; `close()` ends it for good. */
export class EventStream {
  private readonly url: string;
  private readonly options: Required<Omit<StreamOptions, "onEvent" | "onStatus">> & StreamOptions;
  private readonly stop = new AbortController();
  private current: AbortController | null = null;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private retryMs: number;
  private failures = 0;
  private made = 0;

  constructor(url: string, options: StreamOptions = {}) {
    this.url = url;
    this.options = { idleTimeoutMs: 45_000, retryMs: 2000, maxRetryMs: 30_000, ...options };
    this.retryMs = this.options.retryMs;
    void this.run();
  }

  /** Connections made so far (the first one included). */
  get connections(): number {
    return this.made;
  }

  /** End the stream; no more events or reconnections. */
  close(): void {
    this.stop.abort();
    this.current?.abort();
    clearTimeout(this.idleTimer);
    this.options.onStatus?.({ state: "closed" });
  }

  private async run(): Promise<void> {
    this.options.onStatus?.({ state: "connecting" });
    while (!this.stop.signal.aborted) {
      let reason: string;
      try {
        reason = await this.connectOnce();
      } catch (error) {
        reason = error instanceof Error ? error.message : String(error);
      }
      if (this.stop.signal.aborted) return;
      const wait = Math.min(this.retryMs * 2 ** this.failures, this.options.maxRetryMs);
      this.failures += 1;
      this.options.onStatus?.({ state: "reconnecting", retryInMs: wait, reason });
      await sleep(wait, this.stop.signal);
    }
  }

  /** One connection, read until it ends; why it ended. */
  private async connectOnce(): Promise<string> {
    const attempt = new AbortController();
    this.current = attempt;
    this.made += 1;
    this.armIdle(attempt);
    const answer = await fetch(this.url, {
      headers: { Accept: "text/event-stream" },
      credentials: "same-origin",
      cache: "no-store",
      signal: attempt.signal,
    });
    if (!answer.ok || answer.body === null) {
      await answer.body?.cancel();
      return `HTTP ${answer.status}`;
    }
    const reader = answer.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return "the bridge ended the stream";
        this.armIdle(attempt);
        // Every line end as "\n" (a "\r" last in a chunk waits: "\n" may follow it).
        buffer = (buffer + value).replace(/\r\n|\r(?!$)/g, "\n");
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          this.dispatch(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
    } finally {
      clearTimeout(this.idleTimer);
      reader.releaseLock();
    }
  }

  private armIdle(attempt: AbortController): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => attempt.abort(), this.options.idleTimeoutMs);
  }

  /** One event block of the stream, read as README.md ("Facts") says. */
  private dispatch(block: string): void {
    let name = "message";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line === "" || line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") name = value;
      else if (field === "data") data.push(value);
      else if (field === "retry" && /^\d+$/.test(value)) this.retryMs = Number(value);
    }
    if (data.length === 0) return;
    if (name === "state") {
      this.failures = 0;
      this.options.onStatus?.({ state: "open" });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.join("\n"));
    } catch {
      return; // the bridge's events are JSON: anything else is not one of them
    }
    this.options.onEvent?.(name as EventName, parsed as EventMap[EventName]);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
