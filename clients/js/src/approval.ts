// The approval window of the bridge's security model (README, "Who may call it"): a web
// application never sees the PIN. Asked for a login token or a PIN session, the bridge
// answers 403 `approval_required` with `approval_url`; the page opens that window (the
// bridge's own page, out of the site's reach), where the clinician reads which site asks
// and types the PIN, or refuses. The window then posts
// `{type: "cardbridge:approval", id, status}` to the site's origin alone (never the
// token), and the page reads the outcome at GET /v1/approvals/{id}.

import { ApprovalError, type ApprovalRequiredError } from "./errors.js";
import { type Language, message } from "./messages.js";
import type { components } from "./openapi.js";

export type ApprovalInfo = components["schemas"]["ApprovalInfo"];

/** How the page opens the window; a page may pass its own (a dialog first, a named
 * window…), which must return the window or null when it could not open. */
export type WindowOpener = (url: string) => Window | null;

export const openPopup: WindowOpener = (url) =>
  window.open(url, "cardbridge-approval", "popup,width=520,height=640");

const MESSAGE_TYPE = "cardbridge:approval";
// How often the page looks whether the clinician closed the window without answering.
const CLOSED_CHECK_MS = 400;
// The bridge waits 2 minutes for an answer; the page waits a little longer, then asks.
const LONGEST_WAIT_MS = 130_000;

export interface ApprovalContext {
  language: Language;
  openWindow: WindowOpener;
  /** GET /v1/approvals/{id}, as the client sends it. */
  read: (id: string) => Promise<ApprovalInfo>;
}

/** Open the window that `asked` names, wait for the clinician's answer, and return the
 * approved request (with the login `token` for a login). Anything but an approval is an
 * {@link ApprovalError}: `approval_refused`, `approval_expired`, `approval_cancelled`
 * (window closed unanswered), `approval_window_blocked` (the browser kept it closed:
 * open it from the click that started the action). */
export async function approveInWindow(
  asked: ApprovalRequiredError,
  context: ApprovalContext,
): Promise<ApprovalInfo> {
  const id = asked.approvalId;
  const windowOrigin = new URL(asked.approvalUrl).origin;
  const opened = context.openWindow(asked.approvalUrl);
  if (opened === null) {
    throw new ApprovalError(
      "approval_window_blocked",
      message(context.language, "window_blocked"),
    );
  }
  const ending = await new Promise<"answered" | "closed" | "timeout">((resolve) => {
    const onMessage = (event: MessageEvent): void => {
      const data: unknown = event.data;
      if (
        event.origin === windowOrigin &&
        typeof data === "object" &&
        data !== null &&
        (data as { type?: unknown }).type === MESSAGE_TYPE &&
        (data as { id?: unknown }).id === id
      ) {
        done("answered");
      }
    };
    const watch = setInterval(() => {
      if (opened.closed) done("closed");
    }, CLOSED_CHECK_MS);
    const limit = setTimeout(() => done("timeout"), LONGEST_WAIT_MS);
    function done(how: "answered" | "closed" | "timeout"): void {
      window.removeEventListener("message", onMessage);
      clearInterval(watch);
      clearTimeout(limit);
      resolve(how);
    }
    window.addEventListener("message", onMessage);
  });
  // The message says when, never what: the bridge says what (and gives the token).
  const outcome = await context.read(id);
  if (outcome.status === "approved") return outcome;
  if (ending === "timeout" && !opened.closed) opened.close();
  const key =
    outcome.status === "refused" ? "refused" : outcome.status === "expired" ? "expired" : "cancelled";
  throw new ApprovalError(`approval_${key}`, message(context.language, key));
}
