// The DMP tool, step 5: the deposit form (TD2.1) with every field of the seed's — a file,
// or "Rédiger un document (texte libre)"; type, title, document date, comment, the
// event's start and end, the author's practice situation and cadre d'exercice, the
// visibility — then the documents list again, with the new one.

import { postForm } from "./api.js";
import { byId, clearErrors, h, setFieldError, setNotice, whileBusy } from "./dom.js";
import { loadDocuments, documentTypes } from "./dmp_documents.js";
import { dmp, dmpOpen, onDmpChange, patientIns } from "./dmp_state.js";
import { currentLanguage, errorText, t } from "./i18n.js";

// The input that shows the server's error about each form field.
const INPUTS = {
  file: "deposit-file",
  text: "deposit-text",
  type: "deposit-type",
  title: "deposit-title",
  document_date: "deposit-document-date",
  comment: "deposit-comment",
  event_start: "deposit-event-start",
  event_end: "deposit-event-end",
  situation: "deposit-situation",
  practice_setting: "deposit-practice-setting",
};

let onDeposit = () => {};

const freeText = () => byId("deposit-source-text").checked;

function showSource() {
  byId("deposit-file-field").hidden = freeText();
  byId("deposit-text-field").hidden = !freeText();
}

function formData() {
  const form = new FormData();
  const patient = dmp.patient.selector;
  if (patient.vitale) form.append("beneficiary", String(patient.vitale.beneficiary));
  else form.append("ins", patientIns());
  form.append("situation", byId("deposit-situation").value || "0");
  form.append("practice_setting", byId("deposit-practice-setting").value);
  for (const name of ["type", "title", "document_date", "event_start"]) {
    form.append(name, byId(INPUTS[name]).value);
  }
  for (const name of ["comment", "event_end"]) {
    const value = byId(INPUTS[name]).value;
    if (value.trim()) form.append(name, value);
  }
  form.append("visibility", document.querySelector('input[name="visibility"]:checked').value);
  if (freeText()) {
    form.append("text", byId("deposit-text").value);
  } else {
    const file = byId("deposit-file").files[0];
    if (file) form.append("file", file, file.name);
  }
  return form;
}

async function deposit(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form, byId("deposit-error"), byId("deposit-done"));
  if (!freeText() && !byId("deposit-file").files.length) {
    setFieldError("deposit-file", t("deposit.file_missing"));
    byId("deposit-file").focus();
    return;
  }
  let answer;
  try {
    answer = await whileBusy(form, () => postForm("/v1/dmp/documents", formData()));
  } catch (error) {
    const input = INPUTS[error.field?.split(".").pop()];
    if (error.field === "beneficiary") {
      // The CDA states the patient's traits as the Vitale card gives them.
      const told = currentLanguage() === "fr" ? "" : ` (${error.detail})`;
      setNotice(byId("deposit-error"), t("deposit.needs_vitale") + told);
      form.querySelector("button[type=submit]").focus();
    } else if (error.code === "pin_required") {
      setFieldError("deposit-situation", errorText(error));
      byId("deposit-situation").focus();
    } else if (input && !byId(input).closest("[hidden]")) {
      setFieldError(input, errorText(error, "deposit"));
      byId(input).focus();
    } else {
      setNotice(byId("deposit-error"), errorText(error, "deposit"));
      form.querySelector("button[type=submit]").focus();
    }
    return;
  }
  const title = answer.metadata.title;
  onDeposit(answer);
  await loadDocuments();
  setNotice(
    byId("deposit-done"),
    t("deposit.done", { title, unique_id: answer.receipt.unique_id }),
  );
  byId("deposit-done").focus();
}

async function renderTypes() {
  const select = byId("deposit-type");
  const chosen = select.value;
  const types = await documentTypes();
  select.replaceChildren(
    h("option", { value: "" }, t("criteria.sex_choose")),
    ...types.map((x) =>
      h(
        "option",
        { value: x.code ?? "", disabled: !x.known },
        x.known ? x.label : t("deposit.type_unknown", { label: x.label }),
      ),
    ),
  );
  select.value = chosen;
}

function today() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

function renderDeposit() {
  const open = dmpOpen();
  byId("deposit-needs").hidden = open;
  byId("deposit-vitale").hidden = !open || Boolean(dmp.patient.selector.vitale);
  byId("deposit-fields").disabled = !open;
  if (!open) setNotice(byId("deposit-done"), "");
}

/** `deposited(answer)` is called after each deposit (the journal then shows it). */
export function initDeposit(deposited) {
  onDeposit = deposited;
  onDmpChange(renderDeposit);
  byId("deposit-form").addEventListener("submit", deposit);
  for (const radio of document.querySelectorAll('input[name="deposit-source"]')) {
    radio.addEventListener("change", showSource);
  }
  for (const id of ["deposit-document-date", "deposit-event-start"]) {
    byId(id).value = today();
    byId(id).max = today();
  }
  byId("deposit-event-end").max = today();
  showSource();
  renderDeposit();
  renderTypes().catch(() => {});
}

/** The types' labels again (a language change). */
export function renderDepositTypes() {
  renderTypes().catch(() => {});
}
