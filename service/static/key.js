// Asks for the API key in a modal dialog. Calls that get a 401 at the same time share one
// question rather than stacking dialogs.
import { say } from "./dom.js";
import { msg } from "./i18n.js";

const dialog = document.getElementById("key-dialog");
const form = document.getElementById("key-form");
const input = document.getElementById("key-input");
const message = document.getElementById("key-message");

let pending = null;

form.addEventListener("submit", (event) => {
  event.preventDefault();
  dialog.close(input.value.trim());
});
document.getElementById("key-cancel").addEventListener("click", () => dialog.close(""));

// Resolves to the key, or to null when the person cancels (Cancel or Escape).
export function askForKey({ refused }) {
  pending ??= new Promise((resolve) => {
    say(message, msg(refused ? "keyRefused" : "keyAsk"));
    input.value = "";
    dialog.returnValue = "";
    dialog.addEventListener("close", () => {
      pending = null;
      resolve(dialog.returnValue || null);
    }, { once: true });
    dialog.showModal();
  });
  return pending;
}
