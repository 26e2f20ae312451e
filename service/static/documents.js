// The list of indexed documents the key may read. Delete, offered where the key may write, asks
// for confirmation in place before it removes one.
import { request } from "./api.js";
import { h, say } from "./dom.js";
import { msg } from "./i18n.js";

export function initDocuments({ canWrite }) {
  const list = document.getElementById("documents");
  const status = document.getElementById("documents-status");
  const heading = document.getElementById("library-title");

  async function refresh() {
    let documents;
    try {
      documents = await request("GET", "/documents");
    } catch (error) {
      fail(error);
      return;
    }
    say(status, null);
    say(heading, msg("documentsCount", documents.length));
    list.replaceChildren(...(documents.length
      ? documents.map(item)
      : [h("li", { class: "empty" }, msg("noDocuments"))]));
  }

  function fail(error) {
    say(status, error.text, { error: true });
  }

  function item(doc) {
    const actions = h("div", { class: "actions" });
    const li = h("li", { class: "document" },
      h("div", { class: "document-info" },
        h("span", { class: "source" }, doc.source),
        h("span", { class: "meta" }, msg("documentMeta", doc.collection, doc.format, doc.language, doc.chunks),
          doc.ocr_pages.length ? [" · ", msg("ocrPages", doc.ocr_pages.length)] : null)),
      actions);

    function idle() {
      actions.replaceChildren(h("button", {
        type: "button", class: "secondary small", "aria-label": msg("deleteDocument", doc.source), onclick: confirm,
      }, msg("delete")));
    }

    function confirm() {
      const keep = h("button", {
        type: "button", class: "secondary small", onclick: () => { idle(); actions.firstChild.focus(); },
      }, msg("cancel"));
      actions.replaceChildren(
        h("span", { class: "confirm" }, msg("confirmDelete")),
        h("button", {
          type: "button", class: "danger small", onclick: remove,
          "aria-label": msg("confirmDeleteDocument", doc.source),
        }, msg("delete")),
        keep);
      // The safe choice has focus: a stray Enter keeps the document.
      keep.focus();
    }

    async function remove() {
      try {
        await request("DELETE", `/documents/${encodeURIComponent(doc.doc_id)}`);
      } catch (error) {
        say(status, error.text, { error: true });
        idle();
        return;
      }
      await refresh();
      say(status, msg("deleted", doc.source));
      heading.focus();
    }

    if (canWrite(doc.collection)) idle();
    return li;
  }

  return { refresh, fail };
}
