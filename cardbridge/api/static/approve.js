// The approval window: a web application asked for a login token or a PIN session; the
// clinician sees which site asks and for what, types the PIN here (never in the site's
// page), or refuses. The outcome goes back to the site through the bridge (the site reads
// GET /v1/approvals/{id}); this window only tells the site's window that it is decided,
// with a message addressed to that site's origin alone.

import { get, post } from "./api.js";
import { byId, setFieldError, setNotice, whileBusy } from "./dom.js";
import { errorText, t, translatePage } from "./i18n.js";

const CLOSE_DELAY_MS = 1500;
const requestId = new URLSearchParams(window.location.search).get("request") ?? "";
let request = null;
let lastTry = false;

function question(found) {
  const key = found.action === "login" ? "approve.question_login" : "approve.question_dmp";
  return t(key, { origin: found.origin, practitioner: found.practitioner ?? "?" });
}

function showProblem(text) {
  byId("approve-loading").hidden = true;
  byId("approve-form").hidden = true;
  setNotice(byId("approve-problem"), text);
  byId("approve-problem").focus();
}

function tellTheSite(status) {
  if (window.opener && request) {
    window.opener.postMessage({ type: "cardbridge:approval", id: request.id, status }, request.origin);
  }
}

function finish(status) {
  byId("approve-form").hidden = true;
  setNotice(byId("approve-done"), t(`approve.done_${status}`));
  byId("approve-done").focus();
  tellTheSite(status);
  setTimeout(() => window.close(), CLOSE_DELAY_MS);
}

async function answer(approve) {
  const form = byId("approve-form");
  const input = byId("approve-pin");
  const confirm = byId("approve-confirm");
  setFieldError("approve-pin", "");
  setFieldError("approve-confirm", "");
  const body = { approve };
  if (approve) {
    if (!/^[0-9]{4,8}$/.test(input.value)) {
      setFieldError("approve-pin", t("error.invalid_request.pin"));
      input.focus();
      return;
    }
    if (lastTry && !confirm.checked) {
      setFieldError("approve-confirm", t("pin.confirm_needed"));
      confirm.focus();
      return;
    }
    body.pin = input.value;
    body.confirm_last_try = lastTry && confirm.checked;
  }
  input.value = "";
  try {
    const decided = await whileBusy(form, () => post(`/v1/approvals/${requestId}`, body));
    finish(decided.status);
  } catch (error) {
    if (error.code === "pin_invalid" || error.code === "confirmation_required") {
      lastTry = error.tries_left === 1;
      byId("approve-confirm-field").hidden = !lastTry;
    }
    if (error.code === "pin_blocked" || error.code === "not_found") {
      showProblem(errorText(error, "cps"));
      return;
    }
    setFieldError("approve-pin", errorText(error, "cps"));
    input.focus();
  }
}

async function start() {
  translatePage();
  try {
    request = await get(`/v1/approvals/${requestId}`);
  } catch (error) {
    showProblem(error.code === "not_found" ? t("approve.unknown") : errorText(error, "cps"));
    return;
  }
  if (request.status !== "pending") {
    showProblem(t(`approve.already_${request.status}`));
    return;
  }
  try {
    const pin = await get("/v1/cps/pin");
    lastTry = !pin.blocked && pin.tries_left === 1;
  } catch {
    lastTry = false;
  }
  byId("approve-loading").hidden = true;
  byId("approve-question").textContent = question(request);
  byId("approve-origin").textContent = request.origin;
  byId("approve-confirm-field").hidden = !lastTry;
  byId("approve-form").hidden = false;
  byId("approve-form").addEventListener("submit", (event) => {
    event.preventDefault();
    answer(true);
  });
  byId("approve-no").addEventListener("click", () => answer(false));
  byId("approve-pin").focus();
}

start();
