// An answer's text (or its machine translation) as DOM nodes: each "[n]" marker becomes a
// button that opens citations[n-1].
import { h } from "./dom.js";
import { UI_LANG, msg } from "./i18n.js";

const MARKER = /\[(\d+)\]/g;

export function answerNodes(text, citations, onCite) {
  const nodes = [];
  let last = 0;
  for (const match of text.matchAll(MARKER)) {
    const n = Number(match[1]);
    const citation = citations[n - 1];
    if (!citation) continue; // not a marker the answer defines: leave it as text
    nodes.push(text.slice(last, match.index), marker(citation, n, onCite));
    last = match.index + match[0].length;
  }
  nodes.push(text.slice(last));
  return nodes;
}

function marker(citation, n, onCite) {
  const button = h("button", {
    type: "button",
    class: "marker",
    // Its label is the page's words, inside text in the answer's language.
    lang: UI_LANG,
    "aria-label": msg("citation", n, citation.source, citation.page),
    title: msg("citationTitle", citation.source, citation.start, citation.end, citation.page),
    "data-citation": n,
    onclick: () => onCite(citation, n, button),
  }, String(n));
  return button;
}
