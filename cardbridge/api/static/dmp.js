// A walk through a DMP access: (1) identify the patient — a Vitale beneficiary, an INS
// or identity traits; (2) choose the practice situation and the mode — normal with the
// patient's consent, or emergency / centre 15 with a reason — and get the signed VIHF.

import { post } from "./api.js";
import {
  byId,
  clearErrors,
  h,
  rawDate,
  renderFacts,
  setFieldError,
  setNotice,
  whileBusy,
} from "./dom.js";
import { errorText, formatDateTime, t } from "./i18n.js";
import { state } from "./state.js";
import { beneficiaryName, birthDate } from "./vitale.js";

// The input that shows the server's error about each request field.
const PATIENT_INPUTS = {
  vitale: "patient-beneficiary",
  beneficiary: "patient-beneficiary",
  ins: "patient-ins",
  last_name: "criteria-last-name",
  first_name: "criteria-first-name",
  sex: "criteria-sex",
  birth_date: "criteria-birth-date",
};
const ACCESS_INPUTS = {
  situation: "access-situation",
  reason: "access-reason",
};

// The identified patient ({selector, reference, vitaleSerial}) and the last access granted.
let patient = null;
let grant = null;
let onAccess = () => {};

const checked = (name) => document.querySelector(`input[name="${name}"]:checked`).value;
const valueOf = (id) => byId(id).value.trim();

function patientSelector() {
  switch (checked("source")) {
    case "vitale":
      return { vitale: { beneficiary: Number(byId("patient-beneficiary").value || 0) } };
    case "ins":
      return { ins: valueOf("patient-ins") };
    default: {
      const criteria = {
        last_name: valueOf("criteria-last-name"),
        first_name: valueOf("criteria-first-name"),
        sex: byId("criteria-sex").value,
      };
      if (valueOf("criteria-birth-date")) criteria.birth_date = valueOf("criteria-birth-date");
      return { criteria };
    }
  }
}

/** Show an API error at the input it is about (focused), else in the form's notice. */
function showError(error, inputs, notice, context) {
  const field = error.field ? error.field.split(".").pop() : "";
  const input = (error.code === "pin_required" && inputs.situation) || inputs[field];
  if (input && !byId(input).closest("[hidden]")) {
    setFieldError(input, errorText(error, context));
    byId(input).focus();
  } else {
    setNotice(notice, errorText(error, context));
    notice.closest("form").querySelector("button[type=submit]").focus();
  }
}

async function identifyPatient(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form, byId("patient-error"));
  const selector = patientSelector();
  let reference;
  try {
    reference = await whileBusy(form, () => post("/v1/dmp/patient", selector));
  } catch (error) {
    showError(error, PATIENT_INPUTS, byId("patient-error"), Object.keys(selector)[0]);
    return;
  }
  patient = { selector, reference, vitaleSerial: state.vitale?.card.serial };
  grant = null;
  renderDmp();
  byId("patient-result").focus();
}

async function openAccess(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form, byId("access-error"));
  const mode = checked("mode");
  const body = {
    situation: Number(byId("access-situation").value || 0),
    patient: patient.selector,
    mode,
    consent: mode === "normal" && byId("access-consent").checked,
    reason: mode === "normal" ? null : byId("access-reason").value,
  };
  grant = null;
  renderDmp();
  try {
    grant = await whileBusy(form, () => post("/v1/dmp/access", body));
  } catch (error) {
    if (error.code === "consent_required") {
      setFieldError("access-consent", errorText(error));
      byId("access-consent").focus();
    } else {
      showError(error, ACCESS_INPUTS, byId("access-error"));
    }
    return;
  }
  renderDmp();
  byId("vihf-title").focus();
  onAccess();
}

function showMode() {
  const normal = checked("mode") === "normal";
  byId("consent-field").hidden = !normal;
  byId("reason-field").hidden = normal;
}

function showSource() {
  const source = checked("source");
  for (const name of ["vitale", "ins", "criteria"]) {
    byId(`source-${name}-panel`).hidden = name !== source;
  }
}

/** Replace the options of a <select>, keeping the chosen one when it is still there. */
function setOptions(select, options) {
  const chosen = select.value;
  select.replaceChildren(...options.map(([value, label]) => h("option", { value }, label)));
  if (options.some(([value]) => value === chosen)) select.value = chosen;
}

const fullName = (person) =>
  [person.first_name, person.last_name].filter(Boolean).join(" ") || "—";

function patientFacts(reference) {
  const birth = reference.birth_date;
  const ins = reference.ins;
  const facts = [[t("patient.name"), fullName(reference)]];
  if (reference.sex) facts.push([t("patient.sex"), t(`sex.${reference.sex}`)]);
  if (birth) facts.push([t("patient.birth_date"), /^\d{8}$/.test(birth) ? rawDate(birth) : birth]);
  facts.push(
    [t("patient.ins_value"), ins ? `${ins.value} (OID ${ins.oid})` : "—"],
    [t("patient.source_value"), t(`source.${reference.source}`)],
  );
  return facts;
}

function vihfFacts(g) {
  const consent = [
    t(g.consent_needed ? "vihf.consent_needed" : "vihf.consent_not_needed"),
    t(g.consent_attested ? "vihf.consent_attested" : "vihf.consent_not_attested"),
  ].join(", ");
  return [
    [t("vihf.assertion_id"), h("span", { className: "mono" }, g.assertion_id)],
    [t("vihf.valid_until"), formatDateTime(g.not_on_or_after)],
    [t("vihf.mode"), t(`mode.${g.mode}`)],
    [t("vihf.consent"), consent],
    [t("vihf.structure"), `${g.structure_id} (${g.sector})`],
    [t("vihf.issuer"), g.issuer],
    [t("vihf.patient_name"), fullName(g.patient)],
    [t("vihf.patient"), h("span", { className: "mono" }, g.patient.ins.cx)],
    [t("vihf.journal"), `${t("journal.col_seq")} ${g.journal_seq}`],
  ];
}

function beneficiaryChoice(b) {
  return `${beneficiaryName(b)} — ${birthDate(b)} (${b.quality.label ?? b.quality.code})`;
}

/** A patient chosen on a Vitale card is forgotten when that card leaves. */
function forgetLeftBeneficiary(s) {
  if (patient?.reference.source === "vitale" && s.vitale?.card.serial !== patient.vitaleSerial) {
    patient = null;
    grant = null;
  }
}

export function renderDmp(s) {
  if (s) {
    forgetLeftBeneficiary(s);
    const beneficiaries = s.vitale?.beneficiaries ?? [];
    setOptions(
      byId("patient-beneficiary"),
      beneficiaries.length
        ? beneficiaries.map((b) => [String(b.index), beneficiaryChoice(b)])
        : [["", t("patient.no_vitale")]],
    );
    const situations = s.practitioner?.situations ?? [];
    setOptions(
      byId("access-situation"),
      situations.length
        ? situations.map((x) => [String(x.index), `${x.index} — ${x.name} (${x.structure_id})`])
        : [["", "—"]],
    );
    byId("access-situation-hint").textContent = situations.length
      ? ""
      : t("access.situation_locked");
  }
  byId("patient-result").hidden = !patient;
  if (patient) {
    renderFacts(byId("patient-facts"), patientFacts(patient.reference));
    byId("patient-no-ins").hidden = Boolean(patient.reference.ins);
  }
  byId("access-needs-patient").hidden = Boolean(patient);
  byId("access-fields").disabled = !patient;
  byId("vihf-result").hidden = !grant;
  if (grant) {
    renderFacts(byId("vihf-facts"), vihfFacts(grant));
    byId("vihf-xml").textContent = grant.vihf;
  }
}

/**
 * `accessed()` is called after each access granted (the journal then shows it),
 * `showHistory(journalKey)` when the user asks for the identified patient's history.
 */
export function initDmp(accessed, showHistory) {
  onAccess = accessed;
  byId("patient-history").addEventListener("click", () =>
    showHistory(patient.reference.journal_key),
  );
  byId("patient-form").addEventListener("submit", identifyPatient);
  byId("access-form").addEventListener("submit", openAccess);
  for (const [name, show] of [["source", showSource], ["mode", showMode]]) {
    for (const radio of document.querySelectorAll(`input[name="${name}"]`)) {
      radio.addEventListener("change", show);
    }
  }
  showSource();
  showMode();
}
