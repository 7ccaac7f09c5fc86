// Calls to the bridge's API, from its own origin: the pairing cookie (HttpOnly, set when
// the page was paired) identifies the page; no API token is needed or stored anywhere.

/** An API refusal: the problem document's fields (code, detail, field, tries_left…). */
export class ApiError extends Error {
  constructor(problem) {
    super(problem.detail || problem.code);
    Object.assign(this, problem);
  }
}

async function call(method, path, body) {
  const options = { method, headers: { Accept: "application/json" }, cache: "no-store" };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, options);
  } catch {
    throw new ApiError({ code: "network", detail: "" });
  }
  if (response.status === 204) return null;
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new ApiError({ code: "internal_error", detail: response.statusText, ...answer });
  }
  return answer;
}

export const get = (path, query) => call("GET", query ? `${path}?${query}` : path);
export const post = (path, body) => call("POST", path, body);
export const del = (path) => call("DELETE", path);
