// The DMP access journal: filtered records (newest first) and the integrity check of
// its hash chain.

import { get } from "./api.js";
import { byId, clearErrors, h, setFieldError, setNotice, whileBusy } from "./dom.js";
import { errorText, formatDateTime, t } from "./i18n.js";
// Written by the bridge from its journal models (cardbridge/dmp/journal_details.py).
import { DETAIL_ORDER } from "./journal_details.js";

const FILTER_INPUTS = {
  patient: "journal-patient",
  practitioner: "journal-practitioner",
  kind: "journal-kind",
  since: "journal-since",
  until: "journal-until",
  limit: "journal-limit",
};
// The callers the journal names by a code (any other is a web application's origin).
const CALLERS = ["native", "page"];
// Details whose values are codes the page translates.
const CODED_VALUES = {
  mode: "mode",
  patient_source: "source",
  dmp_state: "journal.dmp_state",
  dmp_authorization: "authorization",
};

// The last answers: records shown, integrity report.
let records = null;
let report = null;
// The pages: the query of the records shown (without its cursor), and whether the last
// page was full (older records may follow: the next page starts before its last one).
let shownQuery = "";
let more = false;

/** A day typed in a date input, as the instant it starts or ends (local time). */
function dayBoundary(value, end) {
  if (!value) return null;
  const [year, month, day] = value.split("-").map(Number);
  const moment = end
    ? new Date(year, month - 1, day, 23, 59, 59, 999)
    : new Date(year, month - 1, day);
  return moment.toISOString();
}

function filters() {
  const query = new URLSearchParams();
  const values = {
    patient: byId("journal-patient").value.trim(),
    practitioner: byId("journal-practitioner").value.trim(),
    kind: byId("journal-kind").value,
    since: dayBoundary(byId("journal-since").value, false),
    until: dayBoundary(byId("journal-until").value, true),
    limit: byId("journal-limit").value.trim(),
  };
  for (const [name, value] of Object.entries(values)) if (value) query.set(name, value);
  return query.toString();
}

/** The page size the query asks for (the API's default when the field is empty). */
function pageSize(query) {
  return Number(new URLSearchParams(query).get("limit") ?? 100);
}

/** Load the records matching the form's filters. */
export async function loadJournal() {
  const form = byId("journal-form");
  clearErrors(form, byId("journal-error"));
  byId("journal-status").textContent = t("journal.loading");
  const query = filters();
  try {
    records = await whileBusy(form, () => get("/v1/dmp/journal", query));
    shownQuery = query;
    more = records.length === pageSize(query);
  } catch (error) {
    records = null;
    more = false;
    renderJournal();
    const input = FILTER_INPUTS[error.field];
    if (input) {
      setFieldError(input, errorText(error));
      byId(input).focus();
    } else {
      setNotice(byId("journal-error"), errorText(error));
    }
    return;
  }
  renderJournal();
}

/** Add the next page: the records older than the last one shown, same filters. */
async function loadOlder() {
  const query = new URLSearchParams(shownQuery);
  query.set("before", String(records[records.length - 1].seq));
  setNotice(byId("journal-error"), "");
  const button = byId("journal-more");
  button.disabled = true; // one page at a time
  let older;
  try {
    older = await whileBusy(byId("journal-form"), () => get("/v1/dmp/journal", query.toString()));
  } catch (error) {
    setNotice(byId("journal-error"), errorText(error));
    return;
  } finally {
    button.disabled = false;
  }
  const first = records.length;
  records = records.concat(older);
  more = older.length === pageSize(shownQuery);
  renderJournal();
  // Focus moves to the first record added (else to the count, the list being complete).
  const added = byId("journal-body").rows[first];
  if (added) {
    added.tabIndex = -1;
    added.focus();
  } else {
    byId("journal-status").focus();
  }
}

async function checkIntegrity() {
  const button = byId("journal-verify");
  setNotice(byId("journal-error"), "");
  try {
    report = await whileBusy(byId("journal-form"), () => get("/v1/dmp/journal/verify"));
  } catch (error) {
    report = null;
    setNotice(byId("journal-error"), errorText(error));
    button.focus();
    return;
  }
  renderJournal();
  byId("journal-integrity").focus();
}

function detailText(name, value) {
  let shown = String(value);
  if (typeof value === "boolean") shown = t(value ? "yes" : "no");
  else if (name in CODED_VALUES) shown = t(`${CODED_VALUES[name]}.${value}`);
  else if (name === "caller" && CALLERS.includes(value)) shown = t(`caller.${value}`);
  const label = DETAIL_ORDER.includes(name) ? t(`detail.${name}`) : name;
  return `${label}${t("separator")}${shown}`;
}

function details(record) {
  const entries = Object.entries(record.details).filter(
    ([, value]) => value !== null && value !== "",
  );
  entries.sort(([a], [b]) => rank(a) - rank(b));
  const items = entries.map(([name, value]) => h("li", {}, detailText(name, value)));
  return h("ul", { className: "details" }, ...items);
}

function rank(name) {
  const index = DETAIL_ORDER.indexOf(name);
  return index < 0 ? DETAIL_ORDER.length : index;
}

function recordRow(record) {
  return h(
    "tr",
    {},
    h("td", {}, String(record.seq)),
    h("td", {}, formatDateTime(record.recorded_at)),
    h("td", {}, t(`journal.kind_${record.kind}`)),
    h("td", { className: "mono" }, record.practitioner),
    h("td", { className: "mono" }, record.patient),
    h("td", {}, details(record)),
  );
}

export function renderJournal() {
  const shown = records ?? [];
  byId("journal-table").hidden = !shown.length;
  byId("journal-body").replaceChildren(...shown.map(recordRow));
  let status = "";
  if (records !== null) {
    const counted = more ? "journal.count_more" : "journal.count";
    status = shown.length ? t(counted, { count: shown.length }) : t("journal.empty");
  }
  byId("journal-status").textContent = status;
  byId("journal-more").hidden = !(records !== null && more);
  const integrity = byId("journal-integrity");
  integrity.hidden = !report;
  if (report) {
    integrity.className = `notice ${report.ok ? "notice--success" : "notice--error"}`;
    const verdict = report.ok
      ? t("journal.ok", { count: report.records })
      : t("journal.broken", { count: report.problems.length });
    const problems = report.problems.map((problem) => h("li", {}, problem));
    integrity.replaceChildren(
      h("p", {}, h("strong", {}, verdict)),
      ...(problems.length ? [h("ul", {}, ...problems)] : []),
    );
  }
}

/** Show the records of one patient (as the journal names them). */
export async function showPatientHistory(journalKey) {
  byId("journal-patient").value = journalKey;
  await loadJournal();
  byId("journal-status").focus();
}

export function initJournal() {
  byId("journal-form").addEventListener("submit", (event) => {
    event.preventDefault();
    loadJournal();
  });
  byId("journal-verify").addEventListener("click", checkIntegrity);
  byId("journal-more").addEventListener("click", loadOlder);
}
