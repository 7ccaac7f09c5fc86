// The status page: wires the event stream, the sections and the language switch.

import { get } from "./api.js";
import { initAuth, renderAuth } from "./auth.js";
import { initDmp, renderDmp } from "./dmp.js";
import { initDeposit } from "./dmp_deposit.js";
import { initDocuments } from "./dmp_documents.js";
import { dmpChanged } from "./dmp_state.js";
import { initDmpStatus, refreshStatus, setPatientPages } from "./dmp_status.js";
import { initViewer } from "./dmp_viewer.js";
import { byId } from "./dom.js";
import { initGuide, renderGuide } from "./guide.js";
import { currentLanguage, onLanguageChange, setLanguage, t, translatePage } from "./i18n.js";
import { initJournal, loadJournal, renderJournal, showPatientHistory } from "./journal.js";
import { initPin, loadPractitioner, renderPractitioner } from "./practitioner.js";
import { applyEvent, renderReaders } from "./readers.js";
import { followEvents } from "./events.js";
import { refresh, subscribe, update } from "./state.js";
import { initOrigins, loadOrigins, renderOrigins } from "./origins.js";
import { loadVitale, renderVitale } from "./vitale.js";

// Events after which the cards are read again (once for a burst of events).
const CARD_EVENTS = new Set([
  "state",
  "card_inserted",
  "card_removed",
  "reader_removed",
  "pcsc_unavailable",
  "pcsc_available",
]);
const CARD_RELOAD_DELAY_MS = 100;
let cardReload = null;

function reloadCards() {
  clearTimeout(cardReload);
  cardReload = setTimeout(() => {
    loadPractitioner();
    loadVitale();
  }, CARD_RELOAD_DELAY_MS);
}

function renderConnection(s) {
  const element = byId("connection");
  element.dataset.state = s.connection;
  element.textContent =
    s.connection === "open"
      ? t("connection.open", { backend: s.backend ? t(`backend.${s.backend}`) : "" })
      : t(`connection.${s.connection}`);
}

/** Whether this browser is paired; if not, the page says how to pair and stops there. */
async function paired() {
  try {
    await get("/v1/session");
    return true;
  } catch (error) {
    if (error.code !== "pairing_required") return true; // the sections say what is wrong
  }
  const failed = new URLSearchParams(window.location.search).get("pairing") === "failed";
  byId("pairing-failed").hidden = !failed;
  byId("paired-content").hidden = true;
  byId("pairing").hidden = false;
  update({ connection: "unpaired" });
  byId("pairing-title").focus();
  return false;
}

async function start() {
  translatePage();
  const language = byId("language");
  language.value = currentLanguage();
  language.addEventListener("change", () => setLanguage(language.value));
  onLanguageChange(() => {
    refresh();
    renderAuth();
    renderJournal();
    renderOrigins();
    renderGuide();
    dmpChanged();
  });
  subscribe(renderConnection);
  if (!(await paired())) return;

  const sections = [renderReaders, renderPractitioner, renderVitale, renderDmp];
  for (const render of sections) subscribe(render);
  initPin();
  initAuth();
  initOrigins();
  initDmp(() => {
    loadJournal();
    refreshStatus();
  }, showPatientHistory);
  initDmpStatus(null);
  initDocuments();
  initViewer();
  initDeposit(loadJournal);
  initJournal();
  initGuide();

  get("/v1/health")
    .then((health) => {
      byId("version").textContent = health.version;
      update({ backend: health.backend });
      setPatientPages(health.dmp_patient_pages ?? null);
    })
    .catch(() => update({ connection: "lost" }));
  followEvents(
    (name, data) => {
      applyEvent(name, data);
      if (CARD_EVENTS.has(name)) reloadCards();
    },
    (connection) => update({ connection }),
  );
  loadJournal();
  loadOrigins();
}

start();
