// Calls to the bridge's API, from its own origin: the pairing cookie (HttpOnly, set when
// the page was paired) identifies the page; no API token is needed or stored anywhere.
// Every call asks for the page's language: the bridge's messages (`detail`) come in it.

import { currentLanguage } from "./i18n.js";

/** An API refusal: the problem document's fields (code, detail, field, tries_left,
 * and for a DMP refusal dmp_code, dmp_text, transaction…). */
export class ApiError extends Error {
  constructor(problem) {
    super(problem.detail || problem.code);
    Object.assign(this, problem);
  }
}

async function send(method, path, body) {
  const headers = { Accept: "application/json", "Accept-Language": currentLanguage() };
  const options = { method, headers, cache: "no-store" };
  if (body instanceof FormData) {
    options.body = body; // multipart: the browser writes its Content-Type and boundary
  } else if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, options);
  } catch {
    throw new ApiError({ code: "network", detail: "" });
  }
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    throw new ApiError({ code: "internal_error", detail: response.statusText, ...problem });
  }
  return response;
}

async function call(method, path, body) {
  const response = await send(method, path, body);
  if (response.status === 204) return null;
  return response.json().catch(() => ({}));
}

const withQuery = (path, query) => (query ? `${path}?${query}` : path);

export const get = (path, query) => call("GET", withQuery(path, query));
export const post = (path, body) => call("POST", path, body);
export const patch = (path, body) => call("PATCH", path, body);
export const del = (path, query) => call("DELETE", withQuery(path, query));
/** A multipart form (a file upload). */
export const postForm = (path, form) => call("POST", path, form);

/** A file the API answers as bytes: {blob, type, headers}. */
export async function getBlob(path, query) {
  const response = await send("GET", withQuery(path, query));
  const blob = await response.blob();
  return { blob, type: blob.type, headers: response.headers };
}
