// The list of indexed documents. Delete asks for confirmation in place before it removes one.
import { request } from "./api.js";
import { h, plural, say } from "./dom.js";

export function initDocuments() {
  const list = document.getElementById("documents");
  const status = document.getElementById("documents-status");
  const heading = document.getElementById("library-title");

  async function refresh() {
    let documents;
    try {
      documents = await request("GET", "/documents");
    } catch (error) {
      say(status, error.message, { error: true });
      return;
    }
    say(status, "");
    heading.textContent = `Documents (${documents.length})`;
    list.replaceChildren(...(documents.length ? documents.map(item) : [h("li", { class: "empty" }, "No documents yet: upload some to ask about them.")]));
  }

  function item(doc) {
    const actions = h("div", { class: "actions" });
    const li = h("li", { class: "document" },
      h("div", { class: "document-info" },
        h("span", { class: "source" }, doc.source),
        h("span", { class: "meta" }, `${doc.format} · ${doc.language} · ${plural(doc.chunks, "passage")}`)),
      actions);

    function idle() {
      actions.replaceChildren(h("button", {
        type: "button", class: "secondary small", "aria-label": `Delete ${doc.source}`, onclick: confirm,
      }, "Delete"));
    }

    function confirm() {
      const keep = h("button", { type: "button", class: "secondary small", onclick: () => { idle(); actions.firstChild.focus(); } }, "Cancel");
      actions.replaceChildren(
        h("span", { class: "confirm" }, "Delete from the index?"),
        h("button", { type: "button", class: "danger small", "aria-label": `Confirm: delete ${doc.source}`, onclick: remove }, "Delete"),
        keep);
      // The safe choice has focus: a stray Enter keeps the document.
      keep.focus();
    }

    async function remove() {
      try {
        await request("DELETE", `/documents/${encodeURIComponent(doc.doc_id)}`);
      } catch (error) {
        say(status, error.message, { error: true });
        idle();
        return;
      }
      await refresh();
      say(status, `Deleted ${doc.source}.`);
      heading.focus();
    }

    idle();
    return li;
  }

  return { refresh };
}
