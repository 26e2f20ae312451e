// Builds elements from strings as text nodes only: nothing here parses HTML, so the text of
// documents and answers (untrusted) can never become markup or script.
export function h(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  node.append(...children.flat().filter((child) => child !== undefined && child !== null && child !== false));
  return node;
}

// Sets a status line; errors get their own look, and the role=status region announces both.
export function say(element, message, { error = false } = {}) {
  element.textContent = message;
  element.classList.toggle("error", error);
}

export function plural(count, noun) {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
