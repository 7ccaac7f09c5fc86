// Readers and cards, live: the event stream updates the state, the table follows, and
// each change is announced to screen readers.

import { get } from "./api.js";
import { byId, h } from "./dom.js";
import { t } from "./i18n.js";
import { state, update } from "./state.js";

function cardLabel(reader) {
  return reader.card_present ? t(`card.${reader.card_type ?? "unknown"}`) : t("card.none");
}

function announce(key, params = {}) {
  byId("readers-live").textContent = t(key, params);
}

function withReader(name, changes) {
  const readers = new Map(state.readers);
  readers.set(name, { name, card_present: false, card_type: null, atr: null, ...changes });
  return readers;
}

/** Apply one event of the stream to the state. */
export function applyEvent(name, data) {
  const reader = data.reader;
  switch (name) {
    case "state":
      update({
        backend: data.backend,
        pcsc: data.pcsc,
        readers: new Map(data.readers.map((r) => [r.name, r])),
      });
      break;
    case "reader_added":
      update({ readers: withReader(reader, state.readers.get(reader)) });
      announce("live.reader_added", { reader });
      break;
    case "reader_removed": {
      const readers = new Map(state.readers);
      readers.delete(reader);
      update({ readers });
      announce("live.reader_removed", { reader });
      break;
    }
    case "card_inserted": {
      const changes = { card_present: true, card_type: data.card_type, atr: data.atr };
      update({ readers: withReader(reader, changes) });
      announce("live.card_inserted", { reader, card: cardLabel(changes) });
      break;
    }
    case "card_removed":
      update({ readers: withReader(reader, {}) });
      announce("live.card_removed", { reader });
      break;
    case "pcsc_unavailable":
      update({ pcsc: "down", readers: new Map() });
      announce("live.pcsc_unavailable");
      break;
    case "pcsc_available":
      update({ pcsc: "up" });
      announce("live.pcsc_available");
      loadReaders();
      break;
    default: // heartbeat: the stream is alive, nothing changed
  }
}

async function loadReaders() {
  try {
    const readers = await get("/v1/readers");
    update({ readers: new Map(readers.map((r) => [r.name, r])) });
  } catch {
    // The stream's next events tell what is there.
  }
}

export function renderReaders(s) {
  const readers = [...s.readers.values()].sort((a, b) => a.name.localeCompare(b.name));
  byId("pcsc-down").hidden = s.pcsc !== "down";
  byId("readers-empty").hidden = !(s.connection === "open" && s.pcsc === "up" && !readers.length);
  byId("readers-table").hidden = !readers.length;
  byId("readers-body").replaceChildren(
    ...readers.map((reader) => {
      const badge = reader.card_present ? (reader.card_type ?? "unknown") : "none";
      return h(
        "tr",
        {},
        h("th", { scope: "row" }, reader.name),
        h("td", {}, h("span", { className: `badge badge--${badge}` }, cardLabel(reader))),
        h("td", { className: "mono" }, reader.atr ?? "—"),
      );
    }),
  );
}
