// The bridge's event stream (GET /v1/events), kept open: EventSource reconnects by itself
// after a dropped stream; when it gives up (bridge stopped, refused answer) or the stream
// falls silent (no heartbeat), a new one is opened, waiting a little longer each time.

// Written by the bridge from its StreamEvent enum (cardbridge/api/routes/status.py).
import { EVENT_NAMES } from "./event_names.js";

const FIRST_RETRY_MS = 1000;
const LONGEST_RETRY_MS = 15000;
// The bridge sends a heartbeat after 15 s without events: three missed ones mean trouble.
const SILENCE_MS = 45000;

/**
 * Follow the stream: onEvent(name, data) for each event, onConnection("open") when
 * the stream starts, onConnection("lost") while it is down.
 */
export function followEvents(onEvent, onConnection) {
  let source = null;
  let retryMs = FIRST_RETRY_MS;
  let silence = null;

  function watchSilence() {
    clearTimeout(silence);
    silence = setTimeout(retry, SILENCE_MS);
  }

  function retry() {
    clearTimeout(silence);
    source?.close();
    onConnection("lost");
    setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, LONGEST_RETRY_MS);
  }

  function connect() {
    source = new EventSource("/v1/events");
    source.addEventListener("open", () => {
      retryMs = FIRST_RETRY_MS;
      watchSilence();
      onConnection("open");
    });
    source.addEventListener("error", () => {
      if (source.readyState === EventSource.CLOSED) retry();
      else onConnection("lost");
    });
    for (const name of EVENT_NAMES) {
      source.addEventListener(name, (event) => {
        watchSilence();
        onEvent(name, JSON.parse(event.data));
      });
    }
  }

  connect();
}
