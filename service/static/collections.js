// The collections the key may use (GET /collections): the questions' scope ("all my
// collections", or one of those it may read) and the uploads' target (one it may write). A key
// that may write nowhere sees why it cannot upload instead of a form that would fail. The form
// stays disabled (index.html) until the collections are known: sent before, it would name none.
import { request } from "./api.js";
import { h } from "./dom.js";
import { msg } from "./i18n.js";

export function initCollections() {
  const scope = document.getElementById("ask-collection");
  const target = document.getElementById("upload-collection");
  const uploadFields = document.getElementById("upload-fields");
  const noUpload = document.getElementById("upload-none");

  let writable = [];

  // Throws the service's error (ApiError) when it does not answer with the collections.
  async function refresh() {
    const collections = await request("GET", "/collections");
    const readable = collections.filter((c) => c.read && c.documents > 0).map((c) => c.name); // something to search
    writable = collections.filter((c) => c.write).map((c) => c.name);
    keep(scope, [h("option", { value: "" }, msg("allCollections")),
      ...readable.map((name) => h("option", { value: name }, name))]);
    keep(target, writable.map((name) => h("option", { value: name }, name)));
    // One collection to choose from is no choice: the control is shown only when there are several.
    scope.closest(".field").hidden = readable.length < 2;
    target.closest(".field").hidden = writable.length < 2;
    uploadFields.disabled = writable.length === 0;
    noUpload.hidden = writable.length > 0;
  }

  return {
    refresh,
    // The collections a question is limited to; undefined: all the key may read.
    asked: () => (scope.value ? [scope.value] : undefined),
    uploadTarget: () => target.value,
    canWrite: (collection) => writable.includes(collection),
  };
}

// Replaces a select's options, keeping the choice when it is still offered.
function keep(select, options) {
  const chosen = select.value;
  select.replaceChildren(...options);
  if ([...select.options].some((option) => option.value === chosen)) select.value = chosen;
}
