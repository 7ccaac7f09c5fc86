// The DMP tool, first steps: (1) find the patient — a Vitale beneficiary, an INS, or the
// DMP's search by identity traits (centre 15 mode only) with its candidates to choose
// from; (3) open the access — the patient's consent, or emergency / centre 15 with a
// reason. The DMP's status (2) is in dmp_status.js, the documents in dmp_documents.js.

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
import { dmp, dmpChanged, onDmpChange } from "./dmp_state.js";
import { errorText, formatDate, formatDateTime, t } from "./i18n.js";
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
  situation: "criteria-situation",
  reason: "criteria-reason",
};
const ACCESS_INPUTS = {
  situation: "access-situation",
  reason: "access-reason",
  secret: "access-secret",
};

let candidates = null; // the DMP's answer to the last search by traits
let onAccess = () => {};

const checked = (name) => document.querySelector(`input[name="${name}"]:checked`).value;
const valueOf = (id) => byId(id).value.trim();

function patientQuery() {
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
      // The DMP allows the search by traits in centre 15 mode only (TD0.5).
      return {
        criteria,
        situation: Number(byId("criteria-situation").value || 0),
        mode: "centre_15",
        reason: byId("criteria-reason").value,
      };
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

/** The patient is now `reference` (designated by `selector`): status, access start anew. */
function choosePatient(selector, reference) {
  dmpChanged({
    patient: { selector, reference, vitaleSerial: state.vitale?.card.serial },
    grant: null,
    status: null,
    statusError: null,
  });
  byId("patient-result").focus();
}

async function identifyPatient(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form, byId("patient-error"));
  const query = patientQuery();
  let answer;
  try {
    answer = await whileBusy(form, () => post("/v1/dmp/patient", query));
  } catch (error) {
    const context = query.criteria ? "criteria" : Object.keys(query)[0];
    showError(error, PATIENT_INPUTS, byId("patient-error"), context);
    return;
  }
  if (query.criteria) {
    candidates = answer.candidates ?? [];
    dmpChanged({ patient: null, grant: null, status: null, statusError: null });
    byId("candidates-result").focus();
    return;
  }
  candidates = null;
  choosePatient(query, answer);
}

/** A candidate of the search chosen: their INS designates them; the access that follows
 * is proposed in centre 15 mode with the search's reason. */
async function chooseCandidate(candidate, button) {
  clearErrors(byId("patient-form"), byId("patient-error"));
  const selector = { ins: candidate.ins };
  let reference;
  try {
    button.disabled = true;
    reference = await post("/v1/dmp/patient", selector);
  } catch (error) {
    setNotice(byId("patient-error"), errorText(error, "ins"));
    return;
  } finally {
    button.disabled = false;
  }
  byId("mode-regulation").checked = true;
  byId("access-reason").value = byId("criteria-reason").value;
  byId("access-situation").value = byId("criteria-situation").value;
  showMode();
  choosePatient(selector, reference);
}

async function openAccess(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form, byId("access-error"));
  const mode = checked("mode");
  const body = {
    situation: Number(byId("access-situation").value || 0),
    patient: dmp.patient.selector,
    mode,
    consent: mode === "normal" && byId("access-consent").checked,
    reason: mode === "normal" ? null : byId("access-reason").value,
    secret: byId("access-secret").checked,
  };
  dmpChanged({ grant: null });
  let grant;
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
  dmpChanged({ grant });
  byId("vihf-title").focus();
  onAccess(grant);
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
export function setOptions(select, options) {
  const chosen = select.value;
  select.replaceChildren(...options.map(([value, label]) => h("option", { value }, label)));
  if (options.some(([value]) => value === chosen)) select.value = chosen;
}

export const fullName = (person) =>
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
  const dmpAnswer = [t(`authorization.${g.dmp.authorization ?? "none"}`)];
  if (g.authorization_added) dmpAnswer.push(t("vihf.authorization_added"));
  return [
    [t("vihf.mode"), t(`mode.${g.mode}`)],
    [t("vihf.consent"), consent],
    [t("vihf.secret"), t(g.secret ? "vihf.secret_yes" : "vihf.secret_no")],
    [t("vihf.dmp_answer"), dmpAnswer.join(" ; ")],
    [t("vihf.patient_name"), fullName(g.patient)],
    [t("vihf.patient"), h("span", { className: "mono" }, g.patient.ins.cx)],
    [t("vihf.structure"), `${g.structure_id} (${g.sector})`],
    [t("vihf.assertion_id"), h("span", { className: "mono" }, g.assertion_id)],
    [t("vihf.valid_until"), formatDateTime(g.not_on_or_after)],
    [t("vihf.issuer"), g.issuer],
    [t("vihf.journal"), `${t("journal.col_seq")} ${g.journal_seq}`],
  ];
}

function candidateRow(candidate) {
  const name = [candidate.first_name, candidate.last_name].filter(Boolean).join(" ");
  const born = candidate.birth_name && candidate.birth_name !== candidate.last_name
    ? ` (${t("vitale.birth_name", { name: candidate.birth_name })})`
    : "";
  const place = [candidate.postal_code, candidate.city].filter(Boolean).join(" ") || "—";
  const button = h(
    "button",
    { type: "button", className: "button button--secondary" },
    t("candidates.choose"),
    h("span", { className: "visually-hidden" }, ` ${name}`),
  );
  button.addEventListener("click", () => chooseCandidate(candidate, button));
  return h(
    "tr",
    {},
    h("td", {}, name + born),
    h("td", {}, candidate.birth_date ? formatDate(candidate.birth_date) : "—"),
    h("td", {}, candidate.sex && candidate.sex !== "U" ? t(`sex.${candidate.sex}`) : "—"),
    h("td", {}, place),
    h("td", { className: "mono" }, candidate.ins),
    h("td", {}, button),
  );
}

function renderCandidates() {
  byId("candidates-result").hidden = candidates === null;
  if (candidates === null) return;
  byId("candidates-count").textContent = candidates.length
    ? t("candidates.count", { count: candidates.length })
    : t("candidates.none");
  byId("candidates-table").hidden = !candidates.length;
  byId("candidates-body").replaceChildren(...candidates.map(candidateRow));
}

function beneficiaryChoice(b) {
  return `${beneficiaryName(b)} — ${birthDate(b)} (${b.quality.label ?? b.quality.code})`;
}

/** A patient chosen on a Vitale card is forgotten when that card leaves. */
function forgetLeftBeneficiary(s) {
  const patient = dmp.patient;
  if (patient?.reference.source === "vitale" && s.vitale?.card.serial !== patient.vitaleSerial) {
    dmpChanged({ patient: null, grant: null, status: null, statusError: null });
  }
}

/** The cards' part: beneficiaries and practice situations in the selects. */
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
    const options = situations.length
      ? situations.map((x) => [String(x.index), `${x.index} — ${x.name} (${x.structure_id})`])
      : [["", "—"]];
    for (const id of ["access-situation", "criteria-situation", "deposit-situation"]) {
      setOptions(byId(id), options);
    }
    byId("access-situation-hint").textContent = situations.length
      ? ""
      : t("access.situation_locked");
  }
  renderPatient();
}

function renderPatient() {
  const { patient, grant } = dmp;
  renderCandidates();
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
 * `accessed(grant)` is called after each access granted (the journal then shows it),
 * `showHistory(journalKey)` when the user asks for the identified patient's history.
 */
export function initDmp(accessed, showHistory) {
  onAccess = accessed;
  onDmpChange(renderPatient);
  byId("patient-history").addEventListener("click", () =>
    showHistory(dmp.patient.reference.journal_key),
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
