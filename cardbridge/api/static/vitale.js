// The patient's Vitale card: the insured person and the beneficiaries.

import { get } from "./api.js";
import { byId, coded, h, rawDate, renderFacts } from "./dom.js";
import { errorText, formatDate, t } from "./i18n.js";
import { update } from "./state.js";

let loads = 0;

export async function loadVitale() {
  const mine = ++loads;
  let changes;
  try {
    changes = { vitale: await get("/v1/vitale"), vitaleError: null };
  } catch (error) {
    changes = { vitale: null, vitaleError: error };
  }
  if (mine === loads) update(changes);
}

/** A beneficiary's birth date: the real date, or the lunar one as the card writes it. */
export function birthDate(beneficiary) {
  return beneficiary.birth_date
    ? formatDate(beneficiary.birth_date)
    : t("vitale.lunar", { raw: rawDate(beneficiary.birth_date_raw) });
}

export function beneficiaryName(beneficiary) {
  return `${beneficiary.first_name} ${beneficiary.last_name}`;
}

function insCell(beneficiary) {
  if (!beneficiary.ins) return h("td", { className: "muted" }, t("vitale.no_ins"));
  return h(
    "td",
    {},
    h("span", { className: "mono" }, beneficiary.ins.value),
    h("br"),
    h("small", { className: "muted" }, `OID ${beneficiary.ins.oid}`),
  );
}

function beneficiaryRow(b) {
  const name = [beneficiaryName(b)];
  if (b.birth_name && b.birth_name !== b.last_name) {
    name.push(h("br"), h("small", {}, t("vitale.birth_name", { name: b.birth_name })));
  }
  return h(
    "tr",
    {},
    h("th", { scope: "row" }, ...name),
    h("td", {}, birthDate(b)),
    h("td", {}, String(b.birth_rank)),
    h("td", {}, b.quality.label ?? b.quality.code),
    insCell(b),
  );
}

export function renderVitale(s) {
  const v = s.vitale;
  const why = s.vitaleError ? errorText(s.vitaleError, "vitale") : t("vitale.loading");
  byId("vitale-empty").textContent = v ? "" : why;
  byId("vitale-card").hidden = !v;
  if (!v) return;
  const cardText = t("vitale.card_value", { generation: v.card.generation, serial: v.card.serial });
  const insured = v.insured;
  renderFacts(byId("vitale-insured"), [
    [t("vitale.card"), v.card.test ? `${cardText} — ${t("card.test")}` : cardText],
    [t("vitale.insured"), h("span", { className: "mono" }, `${insured.nir} ${insured.nir_key}`)],
    [t("vitale.regime"), coded(insured.regime_label, insured.regime)],
    [t("vitale.caisse"), `${insured.caisse} / ${insured.centre}`],
  ]);
  byId("beneficiaries-body").replaceChildren(...v.beneficiaries.map(beneficiaryRow));
}
