// Errors of the bridge as classes: every RFC 9457 problem the bridge answers has a stable
// `code`, mapped here to the class a page catches (`instanceof PinError`…). The bridge's
// own table of codes is cardbridge/errors/http_status.py (STATUS_BY_CODE); a browser test
// checks that every code of it has a class here.

import type { components } from "./openapi.js";

/** The problem document of an error answer (RFC 9457, with the bridge's extras). */
export type Problem = components["schemas"]["Problem"] & Record<string, unknown>;

/** Any error of the bridge, or of the way to it. `code` is stable; `detail` is written for
 * the clinician (show it); `problem` is the whole document the bridge answered. */
export class CardBridgeError extends Error {
  readonly code: string;
  readonly status: number;
  readonly detail: string;
  readonly problem: Problem | null;

  constructor(code: string, detail: string, status = 0, problem: Problem | null = null) {
    super(detail);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    this.detail = detail;
    this.problem = problem;
  }
}

/** The bridge could not be reached: not running, another port, or blocked by the browser. */
export class BridgeUnreachableError extends CardBridgeError {}

/** Who calls is not allowed: the site is not configured or not approved on the workstation,
 * or the route is not for web applications. */
export class AccessError extends CardBridgeError {}
/** The site is configured but the clinician has not approved it on the status page. */
export class OriginNotApprovedError extends AccessError {}

/** The clinician must approve in the bridge's window (the client opens it by itself). */
export class ApprovalRequiredError extends CardBridgeError {
  get approvalId(): string {
    return String(this.problem?.approval_id ?? "");
  }
  get approvalUrl(): string {
    return String(this.problem?.approval_url ?? "");
  }
}

/** The approval window did not end in an approval: refused, expired, closed, or blocked.
 * Codes (the client's own): `approval_refused`, `approval_expired`, `approval_cancelled`,
 * `approval_window_blocked`. */
export class ApprovalError extends CardBridgeError {}

/** The reader, the card's presence, or the smart-card service. */
export class ReaderError extends CardBridgeError {
  /** The reader concerned, when the bridge named one. */
  get reader(): string | null {
    return typeof this.problem?.reader === "string" ? this.problem.reader : null;
  }
}
/** Another program holds the card for now: try again in a moment. */
export class CardBusyError extends ReaderError {}
/** The card answered something unexpected, or is not the card the route needs. */
export class CardError extends CardBridgeError {}

/** The PIN: required, wrong, blocked, last try to confirm, or too soon after a wrong one. */
export class PinError extends CardBridgeError {
  /** The tries left, when the bridge said (`pin_invalid`, `confirmation_required`…). */
  get triesLeft(): number | null {
    const left = this.problem?.tries_left;
    return typeof left === "number" ? left : null;
  }
}
export class PinRequiredError extends PinError {}
export class PinInvalidError extends PinError {}
export class PinBlockedError extends PinError {}
export class ConfirmationRequiredError extends PinError {}
export class PinRetryLaterError extends PinError {
  /** Seconds to wait before the next try. */
  get retryAfter(): number | null {
    const after = this.problem?.retry_after;
    return typeof after === "number" ? after : null;
  }
}

/** The request itself: a field refused (`field` names it), a body too large. */
export class InvalidRequestError extends CardBridgeError {
  get field(): string | null {
    const field = this.problem?.field;
    return typeof field === "string" ? field : null;
  }
}
/** Nothing there: an unknown document, approval, DMP… */
export class NotFoundError extends CardBridgeError {}

/** The DMP: refused by it (`dmpCode`, `dmpText`), unreachable, or a step missing. */
export class DmpError extends CardBridgeError {
  get dmpCode(): string | null {
    return typeof this.problem?.dmp_code === "string" ? this.problem.dmp_code : null;
  }
  get dmpText(): string | null {
    return typeof this.problem?.dmp_text === "string" ? this.problem.dmp_text : null;
  }
  /** The DMP transaction refused (`TD3.2`…). */
  get transaction(): string | null {
    return typeof this.problem?.transaction === "string" ? this.problem.transaction : null;
  }
}
export class DmpRefusedError extends DmpError {}
/** The DMP must be opened first (`dmpAccess`). */
export class DmpAccessRequiredError extends DmpError {}
/** A normal access needs the patient's consent (`consent: true`); `reason` says why
 * (the problem's `consent_reason`). */
export class ConsentRequiredError extends DmpError {
  get reason(): string | null {
    const reason = this.problem?.consent_reason;
    return typeof reason === "string" ? reason : null;
  }
}

/** A login token refused by `verifyToken` (certificate, signature, nonce…). */
export class TokenError extends CardBridgeError {}

/** The bridge itself failed, or is overloaded: see its journal (`journalctl --user -u cardbridge`). */
export class BridgeError extends CardBridgeError {}

type ErrorClass = new (
  code: string,
  detail: string,
  status?: number,
  problem?: Problem | null,
) => CardBridgeError;

const FAMILIES: ReadonlyArray<readonly [ErrorClass, readonly string[]]> = [
  [BridgeError, ["internal_error", "config_invalid", "service_error", "unexpected_answer"]],
  [BridgeError, ["too_many_connections", "method_not_allowed", "pin_error"]],
  [InvalidRequestError, ["invalid_request", "profile_invalid", "origin_invalid", "nonce_invalid"]],
  [InvalidRequestError, ["payload_too_large", "unsupported_media_type"]],
  [AccessError, ["unauthorized", "pairing_required", "caller_forbidden", "host_forbidden"]],
  [AccessError, ["origin_forbidden", "user_forbidden"]],
  [OriginNotApprovedError, ["origin_not_approved"]],
  [ApprovalRequiredError, ["approval_required"]],
  [PinRequiredError, ["pin_required"]],
  [PinInvalidError, ["pin_invalid", "puk_invalid"]],
  [PinBlockedError, ["pin_blocked", "puk_blocked"]],
  [ConfirmationRequiredError, ["confirmation_required"]],
  [PinRetryLaterError, ["pin_retry_later"]],
  [NotFoundError, ["not_found"]],
  [ReaderError, ["reader_not_found", "card_absent", "card_removed", "pcsc_error"]],
  [ReaderError, ["pcsc_unavailable", "pcsc_access_denied", "card_communication_error"]],
  [CardBusyError, ["card_busy"]],
  [CardError, ["card_error", "wrong_card_type", "card_data_invalid"]],
  [DmpError, ["dmp_error", "dmp_unavailable", "dmp_server_untrusted", "dmp_answer_invalid"]],
  [DmpError, ["journal_error"]],
  [DmpRefusedError, ["dmp_refused"]],
  [DmpAccessRequiredError, ["dmp_access_required"]],
  [ConsentRequiredError, ["consent_required"]],
  [TokenError, ["origin_mismatch", "token_malformed", "token_format_unsupported"]],
  [TokenError, ["token_algorithm_unsupported", "signature_invalid", "ocsp_unavailable"]],
  [TokenError, ["certificate_not_yet_valid", "certificate_expired", "certificate_untrusted"]],
  [TokenError, ["certificate_wrong_purpose", "certificate_policy_refused"]],
  [TokenError, ["certificate_revoked", "certificate_status_unknown"]],
];

/** The class of each problem `code` the bridge answers. */
export const ERROR_CLASSES: Readonly<Record<string, ErrorClass>> = Object.freeze(
  Object.fromEntries(FAMILIES.flatMap(([cls, codes]) => codes.map((code) => [code, cls]))),
);

/** The error for a problem document the bridge answered with HTTP `status`; a code this
 * client does not know yet (a newer bridge) is a {@link CardBridgeError}. */
export function errorFromProblem(status: number, problem: Problem): CardBridgeError {
  const cls = ERROR_CLASSES[problem.code] ?? CardBridgeError;
  return new cls(problem.code, problem.detail ?? problem.code, status, problem);
}
