// The document viewer (TD3.2): the content the DMP gives back, shown in the page — a PDF
// in a frame from a blob URL (the page's CSP allows blob: frames only), a text as text,
// an image as an image — with a link to save it; other formats (RTF, TIFF) to save.

import { getBlob } from "./api.js";
import { byId, h, setNotice } from "./dom.js";
import { errorText, t } from "./i18n.js";

const IMAGES = new Set(["image/jpeg", "image/png"]);
const TEXTS = new Set(["text/plain", "text/xml", "application/xml"]);
const EXTENSIONS = {
  "application/pdf": "pdf",
  "text/plain": "txt",
  "text/rtf": "rtf",
  "application/rtf": "rtf",
  "image/jpeg": "jpg",
  "image/tiff": "tif",
  "text/xml": "xml",
  "application/xml": "xml",
};

let objectUrl = null;

function forgetUrl() {
  if (objectUrl) URL.revokeObjectURL(objectUrl);
  objectUrl = null;
}

export function closeViewer() {
  forgetUrl();
  byId("viewer").hidden = true;
  byId("viewer-content").replaceChildren();
}

/** The file name the API gave (Content-Disposition), else one made from the title. */
function filenameOf(headers, entry, mediaType) {
  const given = /filename="([^"]+)"/.exec(headers.get("Content-Disposition") ?? "");
  if (given) return given[1];
  const base = (entry.title || "document").replace(/[^\p{L}\p{N} _-]+/gu, "").trim() || "document";
  return `${base}.${EXTENSIONS[mediaType] ?? "bin"}`;
}

async function textOf(blob, type) {
  const charset = /charset=([\w-]+)/i.exec(type)?.[1] ?? "utf-8";
  const bytes = await blob.arrayBuffer();
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return new TextDecoder("utf-8").decode(bytes);
  }
}

async function contentNode(blob, mediaType, type, title) {
  if (mediaType === "application/pdf") {
    return h("iframe", { src: objectUrl, title, className: "document-frame" });
  }
  if (IMAGES.has(mediaType)) {
    return h("img", { src: objectUrl, alt: title, className: "document-image" });
  }
  if (TEXTS.has(mediaType)) {
    return h("pre", { className: "document-text", tabIndex: 0 }, await textOf(blob, type));
  }
  return h("p", { className: "notice" }, t("viewer.not_shown", { type: mediaType }));
}

/** Fetch the document of `entry` (TD3.2) and show it. */
export async function showDocument(entry, ins) {
  const title = entry.title ?? entry.unique_id;
  const viewer = byId("viewer");
  const error = byId("documents-error");
  setNotice(error, "");
  let answer;
  try {
    answer = await getBlob(
      `/v1/dmp/documents/${encodeURIComponent(entry.unique_id)}`,
      new URLSearchParams({ patient: ins }).toString(),
    );
  } catch (problem) {
    setNotice(error, errorText(problem));
    error.focus();
    return;
  }
  forgetUrl();
  const mediaType = answer.type.split(";")[0].trim().toLowerCase();
  objectUrl = URL.createObjectURL(answer.blob);
  byId("viewer-title").textContent = title;
  byId("viewer-meta").textContent = t("viewer.meta", {
    type: mediaType,
    size: answer.blob.size,
  });
  byId("viewer-content").replaceChildren(
    await contentNode(answer.blob, mediaType, answer.type, title),
  );
  const download = byId("viewer-download");
  download.href = objectUrl;
  download.download = filenameOf(answer.headers, entry, mediaType);
  viewer.hidden = false;
  byId("viewer-title").focus();
}

export function initViewer() {
  byId("viewer-close").addEventListener("click", () => {
    closeViewer();
    byId("documents-count").focus();
  });
}
