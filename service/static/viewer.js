// The cited document, with the quoted span highlighted and scrolled into view. A side panel on
// wide screens, the whole screen on a phone. Escape or Close returns focus to the marker.
// A citation's machine translation (gloss), when it has one, sits right under the quote, marked
// as not the document's words; the document's text itself is shown as it is.
import { request } from "./api.js";
import { h, nodes, say } from "./dom.js";
import { UI_LANG, msg } from "./i18n.js";

export function initViewer() {
  const panel = document.getElementById("viewer");
  const title = document.getElementById("viewer-title");
  const meta = document.getElementById("viewer-meta");
  const body = document.getElementById("viewer-text");
  let opener = null;
  let opened = 0; // only the latest of several quick clicks may fill the panel

  // The marker whose passage is open is marked as current, so the answer shows which it is.
  function setOpener(marker) {
    opener?.removeAttribute("aria-current");
    opener = marker;
    opener?.setAttribute("aria-current", "true");
  }

  // On a phone the document covers the page: what lies behind it must not take focus.
  const covers = window.matchMedia("(max-width: 55.99rem)");
  function setBehind(inert) {
    for (const part of document.querySelectorAll(".masthead, .layout")) part.inert = inert && covers.matches;
  }
  covers.addEventListener("change", () => setBehind(!panel.hidden));

  function hide() {
    panel.hidden = true;
    setBehind(false);
    ++opened; // a document still loading must not reopen the panel
  }

  function close() {
    if (panel.hidden) return;
    hide();
    const marker = opener;
    setOpener(null);
    marker.focus();
  }

  // A new conversation removes the markers: the panel closes with nothing to return focus to.
  function reset() {
    hide();
    setOpener(null);
  }

  // `language` is the question's, that of the citation's gloss.
  async function open(citation, n, marker, language) {
    const ticket = ++opened;
    setOpener(marker);
    panel.hidden = false;
    setBehind(true);
    // The page beside the document's name, as in the answer's list of sources.
    title.replaceChildren(...nodes([
      h("span", { class: "source" }, citation.source),
      citation.page == null ? null : h("span", { class: "page", lang: UI_LANG }, msg("page", citation.page)),
    ]));
    say(meta, msg("viewerMeta", n, citation.start, citation.end));
    say(body, msg("loadingDocument"));
    body.focus();
    let doc;
    try {
      doc = await request("GET", `/documents/${encodeURIComponent(citation.doc_id)}/text`);
    } catch (error) {
      if (ticket === opened) say(body, error.text, { error: true });
      return;
    }
    if (ticket !== opened) return;
    const mark = highlight(body, doc.text, citation, language);
    mark.focus({ preventScroll: true });
    mark.scrollIntoView({ block: "center" });
  }

  document.getElementById("viewer-close").addEventListener("click", close);
  document.addEventListener("keydown", (event) => {
    // The key dialog handles its own Escape.
    if (event.key === "Escape" && !event.target.closest?.("dialog")) close();
  });
  return { open, reset };
}

// Offsets count code points (the service's Python strings); JavaScript indexes UTF-16 units,
// which differ after any character outside the Basic Multilingual Plane (an emoji, say).
function utf16Index(text, from, codePoints) {
  let index = from;
  for (let n = 0; n < codePoints && index < text.length; n++) {
    index += text.codePointAt(index) > 0xffff ? 2 : 1;
  }
  return index;
}

function highlight(container, text, citation, language) {
  const start = utf16Index(text, 0, citation.start);
  const end = utf16Index(text, start, citation.end - citation.start);
  const note = citation.gloss ? gloss(citation.gloss, language) : null;
  // A screen reader hears the gloss with the quote it translates.
  const mark = h("mark", { tabindex: -1, "aria-describedby": note ? note.id : null }, text.slice(start, end));
  container.classList.remove("error");
  if (citation.language) container.setAttribute("lang", citation.language);
  else container.removeAttribute("lang");
  container.replaceChildren(...nodes([text.slice(0, start), mark, note, text.slice(end)]));
  return mark;
}

function gloss(text, language) {
  return h("span", { class: "gloss", id: "viewer-gloss", role: "note", lang: language },
    h("span", { class: "gloss-label", lang: UI_LANG }, msg("machineTranslation")),
    h("span", { class: "gloss-text" }, text));
}
