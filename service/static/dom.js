// Builds elements from strings as text nodes only: nothing here parses HTML, so the text of
// documents and answers (untrusted) can never become markup or script. The page's own words
// come as Localized text (i18n.js) and follow the language switch.
import { Localized, SERVICE_LANGUAGE, UI_LANG, bind } from "./i18n.js";

export function h(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (value instanceof Localized) bind(node, name, value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  node.append(...nodes(children));
  return node;
}

export function nodes(children) {
  return children.flat()
    .filter((child) => child !== undefined && child !== null && child !== false)
    .map((child) => (child instanceof Localized ? text(child) : child));
}

function text(localized) {
  const node = document.createTextNode("");
  bind(node, null, localized);
  return node;
}

// The language of a message: the page's own words are in the page's language, the service's
// (an error's detail) in English.
export function languageOf(message) {
  return message instanceof Localized ? UI_LANG : SERVICE_LANGUAGE;
}

// Sets a status line; errors get their own look, and the role=status region announces both.
export function say(element, message, { error = false } = {}) {
  element.replaceChildren(...nodes([message || null]));
  if (message && !(message instanceof Localized)) element.setAttribute("lang", SERVICE_LANGUAGE);
  else element.removeAttribute("lang");
  element.classList.toggle("error", error);
}
