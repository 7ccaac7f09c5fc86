// The DMP tool, step 4: the documents of the opened DMP (TD3.1) with their filters, the
// actions on each (TD3.3: mask, unmask, make visible to the patient, archive, unarchive,
// delete after a confirmation) and the viewer (TD3.2).

import { del, get, patch } from "./api.js";
import { byId, clearErrors, h, setFieldError, setNotice, whileBusy } from "./dom.js";
import { chosenSituation, dmp, dmpOpen, onDmpChange, patientIns } from "./dmp_state.js";
import { showDocument, closeViewer } from "./dmp_viewer.js";
import { errorText, formatDate, t } from "./i18n.js";

const FILTER_INPUTS = {
  type: "documents-type",
  status: "documents-status",
  from: "documents-from",
  to: "documents-to",
};

// A deposit's XAdES signature document has this classCode (IHE DSG; docs/dmp-sandbox.md,
// "Deposits"): it signs the clinical documents and is not one itself, so it is not listed.
const SIGNATURE_CLASS = "urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1";

let documents = null; // the last list (signature documents left out), or null
let listedFor = null; // the access (grant) the list was made in
let types = []; // GET /v1/dmp/document-types
let typesAsked = null; // its request, made once
let pendingDelete = null; // the entry the delete dialog asks about

/** The deposit form's document types (asked once; again after a failure). */
export function documentTypes() {
  typesAsked ??= get("/v1/dmp/document-types").then(
    (answer) => (types = answer),
    (error) => {
      typesAsked = null;
      throw error;
    },
  );
  return typesAsked;
}

const typeLabel = (entry) =>
  entry.type?.label ||
  types.find((x) => x.code === entry.type?.code)?.label ||
  entry.type?.code ||
  "—";

const dayOf = (iso) => (iso ? formatDate(iso.slice(0, 10)) : "—");

function visibilityText(visibility) {
  const parts = [];
  if (visibility.masked_from_professionals) parts.push(t("visibility.MASQUE_PS"));
  if (visibility.invisible_to_patient) parts.push(t("visibility.INVISIBLE_PATIENT"));
  if (visibility.invisible_to_guardians) parts.push(t("visibility.INVISIBLE_REPRESENTANTS_LEGAUX"));
  return parts.length ? parts.join(" ; ") : t("visibility.normal");
}

function query(extra = {}) {
  return new URLSearchParams({ patient: patientIns(), ...extra }).toString();
}

/** List the documents with the filters of the form. */
export async function loadDocuments() {
  const form = byId("documents-form");
  clearErrors(form, byId("documents-error"));
  const filters = { status: byId("documents-status").value };
  for (const name of ["type", "from", "to"]) {
    const value = byId(FILTER_INPUTS[name]).value;
    if (value) filters[name] = value;
  }
  listedFor = dmp.grant;
  byId("documents-count").textContent = t("journal.loading");
  try {
    const listed = await whileBusy(form, () => get("/v1/dmp/documents", query(filters)));
    documents = listed.filter((entry) => entry.class_code?.code !== SIGNATURE_CLASS);
  } catch (error) {
    documents = null;
    byId("documents-count").textContent = "";
    const input = FILTER_INPUTS[error.field?.split(".").pop()];
    if (input) {
      setFieldError(input, errorText(error));
      byId(input).focus();
    } else {
      setNotice(byId("documents-error"), errorText(error));
    }
  }
  renderDocuments();
}

function actionButton(label, title, onClick, extraClass = "button--secondary") {
  const button = h(
    "button",
    { type: "button", className: `button button--small ${extraClass}` },
    label,
    h("span", { className: "visually-hidden" }, ` « ${title} »`),
  );
  button.addEventListener("click", () => onClick(button));
  return button;
}

/** One TD3.3 change, then the list again (a visibility change makes a new version). */
async function change(entry, body, done) {
  clearErrors(byId("documents-form"), byId("documents-error"), byId("documents-done"));
  const path = `/v1/dmp/documents/${encodeURIComponent(entry.unique_id)}`;
  try {
    await patch(path, { patient: patientIns(), situation: chosenSituation(), ...body });
  } catch (error) {
    setNotice(byId("documents-error"), errorText(error));
    byId("documents-error").focus();
    return;
  }
  await loadDocuments();
  setNotice(byId("documents-done"), t(done, { title: entry.title ?? "" }));
  byId("documents-done").focus();
}

function askDelete(entry) {
  pendingDelete = entry;
  byId("delete-text").textContent = t("delete.text", { title: entry.title ?? entry.unique_id });
  byId("delete-dialog").showModal();
  byId("delete-cancel").focus();
}

async function confirmDelete() {
  const entry = pendingDelete;
  byId("delete-dialog").close();
  pendingDelete = null;
  if (!entry) return;
  clearErrors(byId("documents-form"), byId("documents-error"), byId("documents-done"));
  try {
    await del(`/v1/dmp/documents/${encodeURIComponent(entry.unique_id)}`, query());
  } catch (error) {
    setNotice(byId("documents-error"), errorText(error));
    byId("documents-error").focus();
    return;
  }
  await loadDocuments();
  setNotice(byId("documents-done"), t("documents.deleted", { title: entry.title ?? "" }));
  byId("documents-done").focus();
}

function actions(entry) {
  const title = entry.title ?? entry.unique_id;
  const list = [actionButton(t("documents.view"), title, () => showDocument(entry, patientIns()))];
  const visibility = entry.visibility;
  if (entry.status === "approved") {
    list.push(
      visibility.masked_from_professionals
        ? actionButton(t("documents.unmask"), title, () =>
            change(entry, { masked_from_professionals: false }, "documents.unmasked"),
          )
        : actionButton(t("documents.mask"), title, () =>
            change(entry, { masked_from_professionals: true }, "documents.masked"),
          ),
    );
    if (visibility.invisible_to_patient) {
      list.push(
        actionButton(t("documents.show_patient"), title, () =>
          change(entry, { visible_to_patient: true }, "documents.shown_patient"),
        ),
      );
    }
    list.push(
      actionButton(t("documents.archive"), title, () =>
        change(entry, { archived: true }, "documents.archived"),
      ),
    );
  } else if (entry.status === "archived") {
    list.push(
      actionButton(t("documents.unarchive"), title, () =>
        change(entry, { archived: false }, "documents.unarchived"),
      ),
    );
  }
  if (entry.status === "approved" || entry.status === "archived") {
    list.push(actionButton(t("documents.delete"), title, () => askDelete(entry), "button--danger"));
  }
  return h("div", { className: "row-actions" }, ...list);
}

function row(entry) {
  return h(
    "tr",
    {},
    h("td", {}, dayOf(entry.created)),
    h(
      "th",
      { scope: "row" },
      h("span", {}, entry.title ?? "—"),
      entry.comment ? h("p", { className: "hint" }, entry.comment) : null,
    ),
    h("td", {}, typeLabel(entry)),
    h(
      "td",
      {},
      entry.author_names.join(", ") || "—",
      entry.author_structure ? h("p", { className: "hint" }, entry.author_structure) : null,
    ),
    h("td", {}, t(`docstatus.${entry.status}`)),
    h("td", {}, visibilityText(entry.visibility)),
    h("td", {}, actions(entry)),
  );
}

function renderTypeFilter() {
  const select = byId("documents-type");
  const chosen = select.value;
  select.replaceChildren(
    h("option", { value: "" }, t("documents.type_all")),
    ...types.filter((x) => x.known).map((x) => h("option", { value: x.code }, x.label)),
  );
  select.value = chosen;
}

function renderDocuments() {
  const open = dmpOpen();
  byId("documents-needs").hidden = open;
  byId("documents-form").hidden = !open;
  if (!open) {
    if (listedFor) byId("documents-form").reset(); // another patient: no filter left over
    documents = null;
    listedFor = null;
    setNotice(byId("documents-error"), "");
    setNotice(byId("documents-done"), "");
    closeViewer();
  } else if (listedFor !== dmp.grant) {
    loadDocuments();
    return;
  }
  renderTypeFilter();
  // Newest first, as the seed's list shows them.
  const shown = [...(documents ?? [])].sort((a, b) =>
    (b.created ?? "").localeCompare(a.created ?? ""),
  );
  byId("documents-table").hidden = !shown.length;
  byId("documents-body").replaceChildren(...shown.map(row));
  if (documents !== null) {
    byId("documents-count").textContent = shown.length
      ? t("documents.count", { count: shown.length })
      : t("documents.none");
  } else if (!open) {
    byId("documents-count").textContent = "";
  }
}

export function initDocuments() {
  onDmpChange(renderDocuments);
  byId("documents-form").addEventListener("submit", (event) => {
    event.preventDefault();
    loadDocuments().then(() => byId("documents-count").focus());
  });
  byId("delete-confirm").addEventListener("click", confirmDelete);
  byId("delete-cancel").addEventListener("click", () => byId("delete-dialog").close());
  documentTypes()
    .then(renderDocuments)
    .catch(() => {});
  renderDocuments();
}
