// One turn of the conversation: the question, then its answer, its "not found", or the error.
// The answer (and its machine translation) is in the question's language; the page's own
// labels are in the page's language, and say so with their lang attribute.
import { h, languageOf, nodes } from "./dom.js";
import { UI_LANG, msg } from "./i18n.js";
import { answerNodes, sourceList } from "./answer.js";

export function createTurn(question) {
  const reply = h("div", { class: "reply pending" }, msg("searching"));
  const element = h("article", { class: "turn" },
    h("p", { class: "question" },
      h("span", { class: "question-mark", "aria-hidden": "true", lang: UI_LANG }, msg("questionMark")),
      h("span", { class: "visually-hidden", lang: UI_LANG }, msg("questionPrefix")),
      question),
    reply);

  function show(answer, onCite) {
    element.setAttribute("lang", answer.language);
    // The viewer shows a citation's gloss in the question's language.
    const cite = (citation, n, marker) => onCite(citation, n, marker, answer.language);
    reply.className = answer.found ? "reply found" : "reply not-found";
    reply.replaceChildren(...nodes([
      h("p", { class: "label", lang: UI_LANG }, msg(answer.found ? "answer" : "notFound")),
      h("p", { class: "text" }, answerNodes(answer.answer, answer.citations, cite)),
      answer.answer_gloss ? gloss(answer, cite) : null,
      answer.citations.length ? sourceList(answer.citations, cite) : null,
      h("p", { class: "meta", lang: UI_LANG }, answer.found
        ? msg("answerMeta", answer.citations.length, Math.round(answer.took_ms))
        : msg("notFoundHint")),
    ]));
  }

  function fail(message) {
    reply.className = "reply error";
    reply.setAttribute("role", "alert");
    reply.replaceChildren(
      h("p", { class: "label", lang: UI_LANG }, msg("couldNotAnswer")),
      h("p", { class: "text", lang: languageOf(message) }, message));
  }

  return { element, show, fail };
}

// The answer with each quote machine-translated into the question's language: shown under the
// answer, never in its place, and labelled as not the documents' words.
function gloss(answer, cite) {
  return h("div", { class: "gloss", role: "note", lang: answer.language },
    h("p", { class: "gloss-label", lang: UI_LANG }, msg("machineTranslation")),
    h("p", { class: "text" }, answerNodes(answer.answer_gloss, answer.citations, cite)));
}
