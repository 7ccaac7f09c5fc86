// Small DOM helpers shared by the sections. Texts are always set as text, never as HTML.

export const byId = (id) => document.getElementById(id);

/** A new element: h("td", { className: "x" }, "text", child…). */
export function h(tag, properties = {}, ...children) {
  const element = document.createElement(tag);
  Object.assign(element, properties);
  element.append(...children.filter((child) => child !== null && child !== undefined));
  return element;
}

/** Fill a <dl> with [term, description] pairs (a description may be a node). */
export function renderFacts(list, pairs) {
  list.replaceChildren(
    ...pairs.flatMap(([term, description]) => [h("dt", {}, term), h("dd", {}, description)]),
  );
}

/** Show `message` in a notice element (hidden when empty). */
export function setNotice(element, message) {
  element.textContent = message || "";
  element.hidden = !message;
}

/** The error of one input: text in #<id>-error (announced: role=alert), aria-invalid. */
export function setFieldError(inputId, message) {
  const input = byId(inputId);
  byId(`${inputId}-error`).textContent = message || "";
  if (message) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

/** Clear the errors of every input of `form` (and its notices given). */
export function clearErrors(form, ...notices) {
  for (const input of form.querySelectorAll("[aria-invalid]")) setFieldError(input.id, "");
  for (const notice of notices) setNotice(notice, "");
}

/** Run `action` with the form's submit button disabled (no double submission). */
export async function whileBusy(form, action) {
  const buttons = form.querySelectorAll("button");
  for (const button of buttons) button.disabled = true;
  form.setAttribute("aria-busy", "true");
  try {
    return await action();
  } finally {
    for (const button of buttons) button.disabled = false;
    form.removeAttribute("aria-busy");
  }
}

/** "Label (code)", or the code alone when it has no label. */
export const coded = (label, code) => (label ? `${label} (${code})` : code);

/** "20150235" (as on a Vitale card) → "35/02/2015". */
export function rawDate(raw) {
  return `${raw.slice(6, 8)}/${raw.slice(4, 6)}/${raw.slice(0, 4)}`;
}
