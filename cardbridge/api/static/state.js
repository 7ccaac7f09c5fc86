// What the page knows, in one place; each section renders itself from it on every change.

export const state = {
  connection: "connecting", // "connecting" | "open" | "lost"
  backend: null, // "pcsc" | "emulator"
  pcsc: "up", // "up" | "down"
  readers: new Map(), // name → {name, card_present, card_type, atr}
  practitioner: null, // GET /v1/cps, or null
  cpsError: null, // why there is no practitioner (an ApiError), or null while loading
  pin: null, // GET /v1/cps/pin
  vitale: null, // GET /v1/vitale, or null
  vitaleError: null,
};

const listeners = [];

/** Call `render(state)` now and after every change. */
export function subscribe(render) {
  listeners.push(render);
  render(state);
}

export function update(changes) {
  Object.assign(state, changes);
  for (const render of listeners) render(state);
}

/** Render everything again (after a language change). */
export function refresh() {
  update({});
}
