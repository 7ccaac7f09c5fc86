// Authentication test: a challenge for this page's origin, a Web eID token signed by the
// CPS after its PIN (asked every time, as for any login), then the bridge's verification,
// which names the practitioner of the token. The PIN lives only in its input and in the
// one request that sends it.

import { ApiError, post } from "./api.js";
import { byId, h, renderFacts, setFieldError, setNotice, whileBusy } from "./dom.js";
import { errorText, formatDateTime, t } from "./i18n.js";

const STEPS = ["auth.step_challenge", "auth.step_token", "auth.step_verify"];
// The last run: the status of each step, the error, the practitioner of the token.
let run = null;

async function authenticate(pin, confirmLastTry) {
  const challenge = await step(0, () => post("/v1/auth/challenge"));
  const token = await step(1, () =>
    post("/v1/auth/token", { nonce: challenge.nonce, pin, confirm_last_try: confirmLastTry }),
  );
  const check = await step(2, async () => {
    const verdict = await post("/v1/auth/verify", {
      token,
      nonce: challenge.nonce,
      origin: window.location.origin,
    });
    if (!verdict.valid) throw new ApiError({ code: verdict.code, detail: verdict.detail });
    return verdict;
  });
  return check.practitioner;
}

async function step(index, action) {
  run.steps[index] = "pending";
  renderAuth();
  const result = await action();
  run.steps[index] = "done";
  return result;
}

async function runTest(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const input = byId("auth-pin");
  const confirm = byId("auth-confirm");
  setFieldError("auth-pin", "");
  if (!/^[0-9]{4,8}$/.test(input.value)) {
    setFieldError("auth-pin", t("error.invalid_request.pin"));
    input.focus();
    return;
  }
  const pin = input.value;
  const confirmLastTry = confirm.checked;
  input.value = "";
  confirm.checked = false;
  run = { steps: STEPS.map(() => "skipped"), error: null, practitioner: null };
  byId("auth-result").hidden = false;
  try {
    run.practitioner = await whileBusy(form, () => authenticate(pin, confirmLastTry));
  } catch (error) {
    run.error = error;
    run.steps = run.steps.map((status) => (status === "pending" ? "failed" : status));
  }
  byId("auth-confirm-field").hidden = run.error?.code !== "confirmation_required";
  renderAuth();
  byId("auth-result").focus();
}

function practitionerFacts(p) {
  const certificate = p.certificate;
  return [
    [t("cps.name"), `${p.first_name} ${p.last_name}`],
    [t("cps.national_id"), `${p.national_id ?? p.structure_id ?? "?"} (${p.id_type})`],
    [t("auth.title_field"), p.title ?? "—"],
    [
      t("auth.certificate"),
      t("auth.certificate_value", {
        issuer: certificate.issuer ?? "?",
        serial: certificate.serial,
        expires: formatDateTime(certificate.expires),
      }),
    ],
  ];
}

export function renderAuth() {
  if (!run) return;
  byId("auth-steps").replaceChildren(
    ...STEPS.map((key, index) =>
      h(
        "li",
        { className: `step step--${run.steps[index]}` },
        t(key),
        t("separator"),
        h("strong", {}, t(`step.${run.steps[index]}`)),
      ),
    ),
  );
  setNotice(byId("auth-error"), run.error ? errorText(run.error, "cps") : "");
  setNotice(byId("auth-success"), run.practitioner ? t("auth.success") : "");
  const facts = byId("auth-practitioner");
  facts.hidden = !run.practitioner;
  if (run.practitioner) renderFacts(facts, practitionerFacts(run.practitioner));
}

export function initAuth() {
  byId("auth-form").addEventListener("submit", runTest);
}
