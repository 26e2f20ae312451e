// An answer's text as DOM nodes: each "[n]" marker becomes a button that opens citations[n-1].
import { h } from "./dom.js";

const MARKER = /\[(\d+)\]/g;

export function answerNodes(answer, onCite) {
  const nodes = [];
  let last = 0;
  for (const match of answer.answer.matchAll(MARKER)) {
    const n = Number(match[1]);
    const citation = answer.citations[n - 1];
    if (!citation) continue; // not a marker the answer defines: leave it as text
    nodes.push(answer.answer.slice(last, match.index), marker(citation, n, onCite));
    last = match.index + match[0].length;
  }
  nodes.push(answer.answer.slice(last));
  return nodes;
}

function marker(citation, n, onCite) {
  const button = h("button", {
    type: "button",
    class: "marker",
    "aria-label": `Citation ${n}: ${citation.source}`,
    title: `${citation.source}, characters ${citation.start}–${citation.end}`,
    "data-citation": n,
    onclick: () => onCite(citation, n, button),
  }, String(n));
  return button;
}
