// One turn of the conversation: the question, then its answer, its "not found", or the error.
import { h, plural } from "./dom.js";
import { answerNodes } from "./answer.js";

export function createTurn(question) {
  const reply = h("div", { class: "reply pending" }, "Searching the documents…");
  const element = h("article", { class: "turn" },
    h("p", { class: "question" }, h("span", { class: "visually-hidden" }, "Question: "), question),
    reply);

  function show(answer, onCite) {
    // The answer is in the question's language; UI labels stay English.
    element.setAttribute("lang", answer.language);
    reply.className = answer.found ? "reply found" : "reply not-found";
    reply.replaceChildren(
      h("p", { class: "label", lang: "en" }, answer.found ? "Answer" : "Not found in the documents"),
      h("p", { class: "text" }, answerNodes(answer, onCite)),
      answer.found
        ? h("p", { class: "meta", lang: "en" }, `${plural(answer.citations.length, "citation")} · ${Math.round(answer.took_ms)} ms`)
        : h("p", { class: "meta", lang: "en" }, "Try other words, or add documents that cover it."),
    );
  }

  function fail(message) {
    reply.className = "reply error";
    reply.setAttribute("role", "alert");
    reply.replaceChildren(h("p", { class: "label" }, "Could not answer"), h("p", { class: "text" }, message));
  }

  return { element, show, fail };
}
