// The DMP tool, step 2: the patient's DMP as the DMP states it (TD0.2: exists, closed,
// this practitioner's authorization, treating physician), and the link to the patient's
// access history on the offline DMP's patient pages.

import { get } from "./api.js";
import { byId, renderFacts, setNotice } from "./dom.js";
import { chosenSituation, dmp, dmpChanged, onDmpChange, patientIns } from "./dmp_state.js";
import { errorText, formatDateTime, t } from "./i18n.js";

let asked = null; // the patient whose status was last asked for

async function loadStatus() {
  const ins = patientIns();
  const patient = dmp.patient;
  if (!ins) return;
  asked = patient;
  byId("dmp-status-loading").textContent = t("status.loading");
  const query = new URLSearchParams({ patient: ins, situation: String(chosenSituation()) });
  try {
    const status = await get("/v1/dmp/status", query.toString());
    if (dmp.patient === patient) dmpChanged({ status, statusError: null });
  } catch (error) {
    if (dmp.patient === patient) dmpChanged({ status: null, statusError: error });
  }
}

const yesNo = (value) => t(value ? "yes" : "no");

function stateText(status) {
  if (status.state === "closed" && status.closed_on) {
    return t("status.closed_on", { date: formatDateTime(status.closed_on) });
  }
  return t(`status.state_${status.state}`);
}

function statusFacts(status) {
  const facts = [[t("status.state"), stateText(status)]];
  if (status.state === "absent") return facts;
  facts.push(
    [t("status.authorization"), t(`authorization.${status.authorization ?? "none"}`)],
    [t("status.treating_physician"), yesNo(status.treating_physician)],
  );
  const optional = [
    ["break_glass_opposed", "status.break_glass_opposed"],
    ["emergency_access_opposed", "status.emergency_access_opposed"],
    ["web_access_open", "status.web_access_open"],
    ["attached_to_mon_espace_sante", "status.attached_to_mon_espace_sante"],
  ];
  for (const [field, key] of optional) {
    if (status[field] !== null && status[field] !== undefined) {
      facts.push([t(key), yesNo(status[field])]);
    }
  }
  if (status.closing_reason) facts.push([t("status.closing_reason"), status.closing_reason]);
  return facts;
}

function renderStatus() {
  const ins = patientIns();
  const { status, statusError } = dmp;
  byId("dmp-status-needs").hidden = Boolean(ins);
  byId("dmp-status-refresh").hidden = !ins;
  byId("dmp-status-facts").hidden = !status;
  if (status) renderFacts(byId("dmp-status-facts"), statusFacts(status));
  setNotice(byId("dmp-status-error"), statusError ? errorText(statusError) : "");
  if (status || statusError) byId("dmp-status-loading").textContent = "";
  if (!ins) byId("dmp-status-loading").textContent = "";
  const pages = dmp.patientPages;
  byId("dmp-history-link-area").hidden = !(ins && pages && status?.state !== "absent");
  if (ins && pages) {
    const base = pages.replace(/\/$/, "");
    byId("dmp-history-link").href = `${base}/patients/${encodeURIComponent(ins)}`;
  }
  // A new patient, or a new access (whose consent may have added an authorization).
  const wanted = ins && !status && !statusError && asked !== dmp.patient;
  if (wanted) loadStatus();
}

/** After an access: what the DMP now says (TD0.3 may have added the authorization). */
export function refreshStatus() {
  asked = null;
  loadStatus();
}

/** `patientPages`: the offline DMP's patient pages address (GET /v1/health), or null. */
export function initDmpStatus(patientPages) {
  dmp.patientPages = patientPages;
  onDmpChange(renderStatus);
  byId("dmp-status-refresh").addEventListener("click", refreshStatus);
  renderStatus();
}

/** Set the patient pages address once known. */
export function setPatientPages(patientPages) {
  dmpChanged({ patientPages });
}
