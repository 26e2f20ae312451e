// The cited document, with the quoted span highlighted and scrolled into view. A side panel on
// wide screens, the whole screen on a phone. Escape or Close returns focus to the marker.
import { request } from "./api.js";
import { h, say } from "./dom.js";

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

  function close() {
    if (panel.hidden) return;
    panel.hidden = true;
    const marker = opener;
    setOpener(null);
    marker.focus();
  }

  async function open(citation, n, marker) {
    const ticket = ++opened;
    setOpener(marker);
    panel.hidden = false;
    title.textContent = citation.source;
    meta.textContent = `Citation ${n} · characters ${citation.start}–${citation.end}`;
    say(body, "Loading the document…");
    body.focus();
    let doc;
    try {
      doc = await request("GET", `/documents/${encodeURIComponent(citation.doc_id)}/text`);
    } catch (error) {
      if (ticket === opened) say(body, error.message, { error: true });
      return;
    }
    if (ticket !== opened) return;
    const mark = highlight(body, doc.text, citation);
    mark.focus({ preventScroll: true });
    mark.scrollIntoView({ block: "center" });
  }

  document.getElementById("viewer-close").addEventListener("click", close);
  document.addEventListener("keydown", (event) => {
    // The key dialog handles its own Escape.
    if (event.key === "Escape" && !event.target.closest?.("dialog")) close();
  });
  return { open };
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

function highlight(container, text, citation) {
  const start = utf16Index(text, 0, citation.start);
  const end = utf16Index(text, start, citation.end - citation.start);
  const mark = h("mark", { tabindex: -1 }, text.slice(start, end));
  container.classList.remove("error");
  container.replaceChildren(text.slice(0, start), mark, text.slice(end));
  return mark;
}
