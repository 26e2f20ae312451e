// The page's words written in index.html (data-i18n="key" for an element's text,
// data-i18n-ATTRIBUTE="key" for an attribute), and the language switch.
import { LANGUAGES, bind, language, msg, setLanguage } from "./i18n.js";
import { h, nodes } from "./dom.js";

const PREFIX = "data-i18n-";

export function initLanguage() {
  for (const element of document.querySelectorAll("*")) {
    for (const { name, value } of [...element.attributes]) {
      if (name === "data-i18n") element.replaceChildren(...nodes([msg(value)]));
      else if (name.startsWith(PREFIX)) bind(element, name.slice(PREFIX.length), msg(value));
    }
  }

  const select = document.getElementById("language");
  select.replaceChildren(...Object.entries(LANGUAGES).map(([code, name]) =>
    h("option", { value: code, lang: code }, name)));
  select.value = language();
  select.addEventListener("change", () => setLanguage(select.value));
}
