// The practitioner of the CPS and the PIN prompt that unlocks the practice situations.
// The PIN lives only in the input and in the one request that sends it: never in the
// URL (no native form submission, see the page's CSP), storage, state or console.

import { get, post } from "./api.js";
import { byId, clearErrors, coded, h, renderFacts, setFieldError, whileBusy } from "./dom.js";
import { errorText, formatDate, t } from "./i18n.js";
import { state, update } from "./state.js";

let loads = 0;

/** Read the practitioner (and the PIN tries while the situations are locked). */
export async function loadPractitioner() {
  const mine = ++loads;
  let changes;
  try {
    const practitioner = await get("/v1/cps");
    const pin = practitioner.situations ? null : await get("/v1/cps/pin");
    changes = { practitioner, pin, cpsError: null };
  } catch (error) {
    changes = { practitioner: null, pin: null, cpsError: error };
  }
  if (mine === loads) update(changes);
}

const lastTry = (pin) => pin !== null && !pin.blocked && pin.tries_left === 1;

function identity(p) {
  const card = p.card;
  const cardText = t("cps.card_value", {
    type: card.type,
    generation: card.generation.toUpperCase(),
    serial: card.serial,
    expires: formatDate(card.expires),
  });
  const idNumber = p.rpps ?? p.adeli;
  return [
    [t("cps.name"), [p.civility, p.first_name, p.last_name].filter(Boolean).join(" ")],
    [t("cps.national_id"), `${p.national_id} (${p.id_type}${idNumber ? ` ${idNumber}` : ""})`],
    [t("cps.profession"), `${p.profession.label ?? "?"} (${p.profession.code})`],
    [
      t("cps.specialty"),
      p.specialty ? `${p.specialty.label ?? "?"} (${p.specialty.code})` : t("cps.no_specialty"),
    ],
    [t("cps.card"), card.test ? `${cardText} — ${t("card.test")}` : cardText],
  ];
}

function situationRow(situation) {
  const idType = situation.structure_id_type ?? "?";
  return h(
    "tr",
    {},
    h("td", {}, String(situation.index)),
    h("th", { scope: "row" }, situation.name),
    h("td", { className: "mono" }, `${situation.structure_id} (${idType})`),
    h("td", {}, coded(situation.sector_label, situation.sector)),
  );
}

export function renderPractitioner(s) {
  const p = s.practitioner;
  const pin = s.pin;
  const unlocked = Boolean(p?.situations);
  const why = s.cpsError ? errorText(s.cpsError, "cps") : t("cps.loading");
  byId("cps-empty").textContent = p ? "" : why;
  byId("cps-card").hidden = !p;
  if (!p) {
    clearErrors(byId("pin-form"));
    return;
  }
  renderFacts(byId("cps-identity"), identity(p));
  byId("pin-verified").hidden = !unlocked;
  const tries = byId("pin-tries");
  tries.hidden = unlocked || !pin;
  tries.textContent = pin ? t("pin.tries", { left: pin.tries_left, max: pin.max_tries }) : "";
  tries.classList.toggle("warning-text", Boolean(pin) && pin.tries_left < pin.max_tries);
  byId("pin-blocked").hidden = unlocked || !pin?.blocked;
  byId("pin-form").hidden = unlocked || !pin || pin.blocked;
  const last = !unlocked && lastTry(pin);
  byId("pin-last-try").hidden = !last;
  byId("pin-confirm-field").hidden = !last;
  byId("pin").setAttribute("aria-describedby", `pin-hint ${last ? "pin-last-try " : ""}pin-error`);
  byId("situations-area").hidden = !unlocked;
  byId("situations-body").replaceChildren(...(unlocked ? p.situations.map(situationRow) : []));
}

async function submitPin(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const input = byId("pin");
  const confirm = byId("pin-confirm");
  clearErrors(form);
  if (lastTry(state.pin) && !confirm.checked) {
    setFieldError("pin-confirm", t("pin.confirm_needed"));
    confirm.focus();
    return;
  }
  const body = { pin: input.value, confirm_last_try: lastTry(state.pin) && confirm.checked };
  input.value = "";
  confirm.checked = false;
  try {
    await whileBusy(form, () => post("/v1/cps/pin/verify", body));
  } catch (error) {
    showPinError(error);
    return;
  }
  await loadPractitioner();
  byId("situations-title").focus();
}

function showPinError(error) {
  const blocked =
    error.code === "pin_blocked" || (error.code === "pin_invalid" && error.tries_left === 0);
  if (blocked) {
    update({ pin: { ...state.pin, tries_left: 0, blocked: true } });
    byId("pin-blocked").focus();
    return;
  }
  if (error.code === "pin_invalid") {
    update({ pin: { ...state.pin, tries_left: error.tries_left, blocked: false } });
  }
  setFieldError("pin", errorText(error, "cps"));
  if (!byId("pin-form").hidden) byId("pin").focus();
}

export function initPin() {
  byId("pin-form").addEventListener("submit", submitPin);
}
