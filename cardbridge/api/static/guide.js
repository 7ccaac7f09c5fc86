// The first visit's guide ("Premiers pas"): the three steps of a first run — this browser
// paired, the readers and their cards checked, a test access to the demo patient's DMP —
// each marked done from what the page knows. Shown until the clinician hides it (kept in
// this browser); the menu's link shows it again.

import { byId, h } from "./dom.js";
import { dmpOpen, onDmpChange } from "./dmp_state.js";
import { t } from "./i18n.js";
import { state, subscribe } from "./state.js";

const STORAGE_KEY = "cardbridge.guide";

/** The reader holding a card of `type`, or null. */
function readerWith(s, type) {
  for (const reader of s.readers.values()) {
    if (reader.card_present && reader.card_type === type) return reader.name;
  }
  return null;
}

function renderStep(id, done, ...text) {
  const step = byId(`guide-${id}`);
  step.dataset.done = String(done);
  byId(`guide-${id}-status`).textContent = t(done ? "guide.done" : "guide.todo");
  byId(`guide-${id}-text`).replaceChildren(...text);
}

/** Step 2: a CPS and a Vitale card in the readers (the demo cards' PIN when emulated). */
function readersStep(s) {
  const cps = readerWith(s, "cps");
  const vitale = readerWith(s, "vitale");
  if (s.pcsc === "down") return [false, t("guide.readers_pcsc_down")];
  if (!s.readers.size) return [false, t("guide.readers_none")];
  if (!cps || !vitale) {
    const missing = !cps && !vitale ? "both" : cps ? "vitale" : "cps";
    return [false, t(`guide.readers_missing_${missing}`)];
  }
  const found = t("guide.readers_found", { cps, vitale });
  return [true, s.backend === "emulator" ? `${found} ${t("guide.readers_demo")}` : found];
}

/** Step 3: the DMP of the Vitale card's patient opened from this page. */
function accessStep() {
  if (dmpOpen()) return [true, [t("guide.access_done")]];
  const link = (href, key) => h("a", { href }, t(key));
  return [
    false,
    [
      t("guide.access_todo"),
      " ",
      link("#cps", "guide.access_go_pin"),
      " · ",
      link("#dmp", "guide.access_go_dmp"),
    ],
  ];
}

export function renderGuide(s = state) {
  if (byId("guide").hidden) return;
  renderStep("pairing", true, t("guide.pairing_done"));
  const [readersDone, readersText] = readersStep(s);
  renderStep("readers", readersDone, readersText);
  const [accessDone, accessText] = accessStep();
  renderStep("access", accessDone, ...accessText);
  byId("guide-ready").hidden = !(readersDone && accessDone);
}

function showGuide(shown) {
  byId("guide").hidden = !shown;
  if (shown) renderGuide();
}

export function initGuide() {
  showGuide(localStorage.getItem(STORAGE_KEY) !== "hidden");
  subscribe(renderGuide);
  onDmpChange(() => renderGuide());
  byId("guide-hide").addEventListener("click", () => {
    localStorage.setItem(STORAGE_KEY, "hidden");
    showGuide(false);
    byId("guide-link").focus();
  });
  byId("guide-link").addEventListener("click", (event) => {
    event.preventDefault();
    localStorage.removeItem(STORAGE_KEY);
    showGuide(true);
    byId("guide-title").focus();
  });
}
