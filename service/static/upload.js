// The upload form: progress while the files travel, "Indexing…" while the service reads them
// (it answers only once they are indexed), then what was added and why any file was refused.
import { upload } from "./api.js";
import { h, languageOf, say } from "./dom.js";
import { SERVICE_LANGUAGE, msg } from "./i18n.js";

export function initUpload({ target, onUploaded }) {
  const form = document.getElementById("upload-form");
  const input = document.getElementById("files");
  const button = document.getElementById("upload-button");
  const progress = document.getElementById("upload-progress");
  const bar = document.getElementById("upload-bar");
  const label = document.getElementById("upload-label");
  const report = document.getElementById("upload-report");

  function showProgress(fraction) {
    if (fraction === null || fraction >= 1) {
      bar.removeAttribute("value"); // indeterminate: the service is indexing
      say(label, msg(fraction === null ? "uploading" : "indexing"));
    } else {
      bar.value = fraction;
      say(label, msg("uploadingPercent", fraction));
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData();
    for (const file of input.files) data.append("files", file);
    button.disabled = true;
    progress.hidden = false;
    showProgress(0);
    say(report, null);
    try {
      const result = await upload(`/documents?collection=${encodeURIComponent(target())}`, data, showProgress);
      report.replaceChildren(...summary(result));
      form.reset();
      await onUploaded();
    } catch (error) {
      report.replaceChildren(
        h("p", { class: "error", lang: languageOf(error.text) }, error.text),
        ...refusals(error.body?.refused ?? []));
    } finally {
      button.disabled = false;
      progress.hidden = true;
    }
  });
}

function summary(result) {
  const sources = (docs) => docs.map((doc) => doc.source);
  return [
    h("p", {}, msg("indexed", result.counts.chunks, result.seconds)),
    ...group("added", sources(result.added)),
    ...group("replaced", sources(result.replaced)),
    ...group("unchanged", result.unchanged),
    ...refusals(result.refused),
  ];
}

function refusals(refused) {
  if (!refused.length) return [];
  return [h("p", { class: "group-title refused-title" }, msg("refused", refused.length)),
    // A reason is the service's own words, as it gave them.
    h("ul", { class: "refused" }, refused.map((r) =>
      h("li", {}, h("span", { class: "source" }, r.source), ": ", h("span", { lang: SERVICE_LANGUAGE }, r.reason))))];
}

function group(key, names) {
  if (!names.length) return [];
  return [h("p", { class: "group-title" }, msg(key, names.length)),
    h("ul", {}, names.map((name) => h("li", { class: "source" }, name)))];
}
