// An answer's text (or its machine translation) as DOM nodes: each "[n]" marker becomes a
// button that opens citations[n-1]. Under it, the list of its sources: each citation's document,
// and its page when it has one ("report.pdf p. 2"), also a button that opens it.
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

export function sourceList(citations, onCite) {
  return h("ol", { class: "sources", "aria-label": msg("sources"), lang: UI_LANG },
    citations.map((citation, index) => {
      const button = h("button", {
        type: "button",
        class: "source-link",
        title: msg("citationTitle", citation.source, citation.start, citation.end, citation.page),
        onclick: () => onCite(citation, index + 1, button),
      },
      // A document's name is in no language of the page's.
      h("span", { class: "source", lang: "" }, citation.source),
      citation.page == null ? null : h("span", { class: "page" }, msg("page", citation.page)));
      return h("li", {}, button);
    }));
}
