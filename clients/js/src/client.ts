// `new CardBridge({origin})`: one typed method per route of the bridge's local API, for a
// web application's page (its credential is its origin, configured and approved on the
// workstation: README, "Who may call it"). Errors are classes (errors.ts); the approval
// window is opened when the bridge asks for it (approval.ts); the event stream reconnects
// by itself (events.ts).

import { type ApprovalInfo, approveInWindow, openPopup, type WindowOpener } from "./approval.js";
import {
  ApprovalRequiredError,
  BridgeUnreachableError,
  CardBridgeError,
  errorFromProblem,
  PinRequiredError,
  type Problem,
} from "./errors.js";
import { EventStream, type StreamOptions } from "./events.js";
import { browserLanguage, type Language, message } from "./messages.js";
import type { components } from "./openapi.js";
import { type Answer, type Body, type Query, ROUTES, type RouteName } from "./routes.js";

type Schemas = components["schemas"];

export interface CardBridgeOptions {
  /** The bridge's address as the browser reaches it, e.g. `http://127.0.0.1:8470`. */
  origin: string;
  /** The language of every message: the client's own, and the bridge's `detail` and
   * `title` (sent as `Accept-Language`). Default: English when the browser's language
   * (`navigator.language`) is English, else French, as the bridge. */
  language?: Language;
  /** How the approval window opens (default: a popup window). */
  openWindow?: WindowOpener;
  /** When a DMP call answers 403 `pin_required`, ask for a PIN session through the
   * approval window and send the call again once approved (default: true). */
  pinSessionOnDemand?: boolean;
}

/** Where a route's path parameters, query and body go. */
interface Call {
  params?: Record<string, string>;
  query?: Record<string, unknown> | undefined;
  json?: unknown;
  form?: FormData;
}

/** A document as the DMP holds it (TD3.2): its bytes and what the bridge says of them.
 * `filename` and `wrappedInCda` come from headers that a page of another origin reads only
 * if the bridge exposes them to it (CORS): `null` when it does not. */
export interface DocumentContent {
  content: Blob;
  mediaType: string;
  filename: string | null;
  /** The DMP holds it wrapped in a CDA (`X-Dmp-Wrapped-In-Cda`). */
  wrappedInCda: boolean | null;
}

/** A deposit's form: every field of `POST /v1/dmp/documents` (`patient`, `type`, `title`…)
 * and the `file` (or a free `text` field). */
export type DepositForm = Schemas["DepositFields"] & { file?: Blob; filename?: string };

export class CardBridge {
  readonly origin: string;
  private readonly language: Language;
  private readonly openWindow: WindowOpener;
  private readonly pinSessionOnDemand: boolean;
  /** The PIN session being asked for: calls that need it at once share one window. */
  private sessionAsked: Promise<ApprovalInfo> | null = null;

  constructor(options: CardBridgeOptions) {
    this.origin = new URL(options.origin).origin;
    this.language = options.language ?? browserLanguage();
    this.openWindow = options.openWindow ?? openPopup;
    this.pinSessionOnDemand = options.pinSessionOnDemand ?? true;
  }

  // --- the bridge, its readers and their events -------------------------------------------

  health(): Promise<Answer<"health">> {
    return this.json("health");
  }
  readers(): Promise<Answer<"readers">> {
    return this.json("readers");
  }
  /** Follow readers and cards live; the stream reconnects until `close()`. */
  events(options: StreamOptions = {}): EventStream {
    return new EventStream(this.url(ROUTES.events[1]), options);
  }
  session(): Promise<Answer<"session">> {
    return this.json("session");
  }

  // --- the CPS, its PIN, logging in --------------------------------------------------------

  practitioner(query: Query<"practitioner"> = {}): Promise<Answer<"practitioner">> {
    return this.json("practitioner", { query });
  }
  certificates(query: Query<"certificates"> = {}): Promise<Answer<"certificates">> {
    return this.json("certificates", { query });
  }
  pinStatus(query: Query<"pinStatus"> = {}): Promise<Answer<"pinStatus">> {
    return this.json("pinStatus", { query });
  }
  /** A web application asks for a PIN session: the clinician types the PIN in the
   * bridge's window, which this opens (call it from a click). */
  async openPinSession(query: Query<"openPinSession"> = {}): Promise<ApprovalInfo> {
    return this.approved(() => this.json("openPinSession", { query }));
  }
  endPinSession(query: Query<"endPinSession"> = {}): Promise<void> {
    return this.json("endPinSession", { query });
  }
  /** Native software and the status page only (a web page never holds the PIN). */
  verifyPin(body: Body<"verifyPin">, query: Query<"verifyPin"> = {}): Promise<Answer<"verifyPin">> {
    return this.json("verifyPin", { json: body, query });
  }
  changePin(body: Body<"changePin">, query: Query<"changePin"> = {}): Promise<Answer<"changePin">> {
    return this.json("changePin", { json: body, query });
  }
  unblockPin(
    body: Body<"unblockPin">,
    query: Query<"unblockPin"> = {},
  ): Promise<Answer<"unblockPin">> {
    return this.json("unblockPin", { json: body, query });
  }
  challenge(body: Body<"challenge"> = {}): Promise<Answer<"challenge">> {
    return this.json("challenge", { json: body });
  }
  /** A Web eID token over your server's `nonce`, signed for this page's origin once the
   * clinician typed the PIN in the bridge's window (opened here: call from a click). */
  async login(nonce: string, query: Query<"login"> = {}): Promise<Schemas["WebEidToken"]> {
    const approved = await this.approved(() => this.json("login", { json: { nonce }, query }));
    if (approved.token == null) {
      throw new CardBridgeError("approval_without_token", message(this.language, "no_token"));
    }
    return approved.token;
  }
  verifyToken(body: Body<"verifyToken">): Promise<Answer<"verifyToken">> {
    return this.json("verifyToken", { json: body });
  }

  // --- approvals, pairing, origins (the status page's) --------------------------------------

  approval(approvalId: string): Promise<Answer<"approval">> {
    return this.json("approval", { params: { approval_id: approvalId } });
  }
  answerApproval(approvalId: string, body: Body<"answerApproval">): Promise<ApprovalInfo> {
    return this.json("answerApproval", { params: { approval_id: approvalId }, json: body });
  }
  pairingLink(): Promise<Answer<"pairingLink">> {
    return this.json("pairingLink", { json: {} });
  }
  unpair(): Promise<void> {
    return this.json("unpair");
  }
  origins(): Promise<Answer<"origins">> {
    return this.json("origins");
  }
  approveOrigin(body: Body<"approveOrigin">): Promise<Answer<"approveOrigin">> {
    return this.json("approveOrigin", { json: body });
  }
  revokeOrigin(query: Query<"revokeOrigin">): Promise<Answer<"revokeOrigin">> {
    return this.json("revokeOrigin", { query });
  }

  // --- the Vitale card and the DMP ------------------------------------------------------------

  vitale(query: Query<"vitale"> = {}): Promise<Answer<"vitale">> {
    return this.json("vitale", { query });
  }
  documentTypes(): Promise<Answer<"documentTypes">> {
    return this.json("documentTypes");
  }
  patient(body: Body<"patient">, query: Query<"patient"> = {}): Promise<Answer<"patient">> {
    return this.dmp("patient", { json: body, query });
  }
  dmpStatus(query: Query<"dmpStatus">): Promise<Answer<"dmpStatus">> {
    return this.dmp("dmpStatus", { query });
  }
  dmpAccess(body: Body<"dmpAccess">, query: Query<"dmpAccess"> = {}): Promise<Answer<"dmpAccess">> {
    return this.dmp("dmpAccess", { json: body, query });
  }
  journal(query: Query<"journal"> = {}): Promise<Answer<"journal">> {
    return this.json("journal", { query });
  }
  verifyJournal(): Promise<Answer<"verifyJournal">> {
    return this.json("verifyJournal");
  }
  documents(query: Query<"documents">): Promise<Answer<"documents">> {
    return this.dmp("documents", { query });
  }
  async document(uniqueId: string, query: Query<"document">): Promise<DocumentContent> {
    const answer = await this.withPinSession(() =>
      this.send("document", { params: { unique_id: uniqueId }, query }),
    );
    const disposition = answer.headers.get("Content-Disposition") ?? "";
    const wrapped = answer.headers.get("X-Dmp-Wrapped-In-Cda");
    return {
      content: await answer.blob(),
      mediaType: answer.headers.get("Content-Type") ?? "application/octet-stream",
      filename: /filename="([^"]+)"/.exec(disposition)?.[1] ?? null,
      wrappedInCda: wrapped === null ? null : wrapped === "true",
    };
  }
  changeDocument(
    uniqueId: string,
    body: Body<"changeDocument">,
    query: Query<"changeDocument"> = {},
  ): Promise<Answer<"changeDocument">> {
    return this.dmp("changeDocument", { params: { unique_id: uniqueId }, json: body, query });
  }
  deleteDocument(uniqueId: string, query: Query<"deleteDocument">): Promise<void> {
    return this.dmp("deleteDocument", { params: { unique_id: uniqueId }, query });
  }
  deposit(form: DepositForm, query: Query<"deposit"> = {}): Promise<Answer<"deposit">> {
    const data = new FormData();
    for (const [name, value] of Object.entries(form)) {
      if (name === "filename" || value === undefined || value === null) continue;
      if (value instanceof Blob) data.append(name, value, form.filename ?? "document");
      else data.append(name, String(value));
    }
    return this.dmp("deposit", { form: data, query });
  }
  authorizations(query: Query<"authorizations">): Promise<Answer<"authorizations">> {
    return this.dmp("authorizations", { query });
  }
  dmpPatients(query: Query<"dmpPatients"> = {}): Promise<Answer<"dmpPatients">> {
    return this.dmp("dmpPatients", { query });
  }

  // --- the requests themselves ----------------------------------------------------------------

  /** Run `ask`; when the bridge answers `approval_required`, open its window, wait for
   * the clinician, and return the approved request. */
  private async approved(ask: () => Promise<unknown>): Promise<ApprovalInfo> {
    try {
      await ask();
    } catch (error) {
      if (!(error instanceof ApprovalRequiredError)) throw error;
      return approveInWindow(error, {
        language: this.language,
        openWindow: this.openWindow,
        read: (id) => this.approval(id),
      });
    }
    throw new CardBridgeError("approval_expected", message(this.language, "no_approval"));
  }

  /** A DMP call: with `pinSessionOnDemand`, a missing PIN session is asked for in the
   * approval window, then the call is sent again, once. */
  private async withPinSession<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof PinRequiredError) || !this.pinSessionOnDemand) throw error;
      this.sessionAsked ??= this.openPinSession().finally(() => {
        this.sessionAsked = null;
      });
      await this.sessionAsked;
      return call();
    }
  }

  private dmp<R extends RouteName>(route: R, call: Call = {}): Promise<Answer<R>> {
    return this.withPinSession(() => this.json(route, call));
  }

  private async json<R extends RouteName>(route: R, call: Call = {}): Promise<Answer<R>> {
    const answer = await this.send(route, call);
    if (answer.status === 204) return undefined as Answer<R>;
    return (await answer.json()) as Answer<R>;
  }

  /** Send route `route`; an error answer is thrown as its class. */
  private async send(route: RouteName, call: Call): Promise<Response> {
    const [method, template] = ROUTES[route];
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) =>
      encodeURIComponent(call.params?.[name] ?? ""),
    );
    // Accept-Language is a CORS-safelisted request header: no preflight for it.
    const headers: Record<string, string> = {
      Accept: "application/json",
      "Accept-Language": this.language,
    };
    let body: BodyInit | undefined = call.form;
    if (call.json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(call.json);
    }
    let answer: Response;
    try {
      answer = await fetch(this.url(path, call.query), {
        method: method.toUpperCase(),
        headers,
        body,
        // Cookies to this page's own origin only: a web application's page, of another
        // origin, sends none (its credential is its origin).
        credentials: "same-origin",
        cache: "no-store",
      });
    } catch {
      throw new BridgeUnreachableError(
        "bridge_unreachable",
        message(this.language, "unreachable", { origin: this.origin }),
      );
    }
    if (answer.ok) return answer;
    let problem: Problem;
    try {
      problem = (await answer.json()) as Problem;
    } catch {
      const detail = message(this.language, "unexpected", { status: String(answer.status) });
      const status = answer.status;
      problem = { type: "about:blank", title: "", status, detail, code: "unexpected_answer" };
    }
    throw errorFromProblem(answer.status, problem);
  }

  private url(path: string, query?: Record<string, unknown>): string {
    const url = new URL(path, this.origin);
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null) url.searchParams.set(name, String(value));
    }
    return url.toString();
  }
}
