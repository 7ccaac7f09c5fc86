// The web applications configured on this workstation, which the clinician approves or
// revokes; and unpairing this page.

import { del, get, post } from "./api.js";
import { byId, h, setNotice } from "./dom.js";
import { errorText, t } from "./i18n.js";

let origins = null;

export async function loadOrigins() {
  try {
    origins = await get("/v1/origins");
    setNotice(byId("origins-error"), "");
  } catch (error) {
    origins = [];
    setNotice(byId("origins-error"), errorText(error));
  }
  renderOrigins();
}

async function change(origin, approve) {
  try {
    if (approve) await post("/v1/origins/approval", { origin });
    else await del(`/v1/origins/approval?origin=${encodeURIComponent(origin)}`);
  } catch (error) {
    setNotice(byId("origins-error"), errorText(error));
    return;
  }
  await loadOrigins();
}

function originItem({ origin, approved }) {
  const action = approved ? "origins.revoke" : "origins.approve";
  const button = h("button", {
    type: "button",
    className: approved ? "button button--secondary" : "button",
    textContent: t(action),
  });
  button.setAttribute("aria-label", `${t(action)} ${origin}`);
  button.addEventListener("click", () => change(origin, !approved));
  const status = t(approved ? "origins.approved" : "origins.not_approved");
  return h(
    "li",
    { className: "origin" },
    h("span", { className: "mono" }, origin),
    " ",
    h("strong", {}, status),
    " ",
    button,
  );
}

export function renderOrigins() {
  if (origins === null) return;
  byId("origins-empty").hidden = origins.length > 0;
  byId("origins-list").replaceChildren(...origins.map(originItem));
}

async function unpair() {
  try {
    await del("/v1/pairing");
  } catch (error) {
    setNotice(byId("origins-error"), errorText(error));
    return;
  }
  window.location.reload();
}

export function initOrigins() {
  byId("unpair").addEventListener("click", unpair);
}
