// The question form and the conversation: follow-ups carry the conversation_id of the last
// answer, so the service reads them in context; "New conversation" forgets it.
import { request } from "./api.js";
import { say } from "./dom.js";
import { msg } from "./i18n.js";
import { createTurn } from "./turn.js";

export function initConversation({ onCite, onNewConversation, collections }) {
  const form = document.getElementById("ask-form");
  const input = document.getElementById("question");
  const askButton = document.getElementById("ask-button");
  const turns = document.getElementById("turns");
  const note = document.getElementById("conversation-note");
  let conversationId = null;

  function startOver(message = null) {
    conversationId = null;
    onNewConversation();
    turns.replaceChildren();
    say(note, message);
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const question = input.value.trim();
    if (!question || askButton.disabled) return;
    const body = conversationId ? { question, conversation_id: conversationId } : { question };
    const scope = collections();
    if (scope) body.collections = scope;
    const turn = createTurn(question);
    // Newest first: the latest answer sits right under the question box, and Tab reaches its markers next.
    turns.prepend(turn.element);
    input.value = "";
    askButton.disabled = true;
    try {
      const answer = await request("POST", "/ask", body);
      conversationId = answer.conversation_id ?? null;
      say(note, null);
      turn.show(answer, onCite);
    } catch (error) {
      if (error.status === 404 && body.conversation_id) {
        startOver(msg("conversationEnded", error.text));
        input.value = question;
      } else {
        turn.fail(error.text);
      }
    } finally {
      askButton.disabled = false;
    }
  });

  document.getElementById("new-conversation").addEventListener("click", () => {
    startOver();
    input.focus();
  });

  // A conversation belongs to the key that started it: another key starts another.
  return { startOver };
}
