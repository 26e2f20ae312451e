// The upload form: progress while the files travel, "Indexing…" while the service reads them
// (it answers only once they are indexed), then what was added and why any file was refused.
import { upload } from "./api.js";
import { h, plural, say } from "./dom.js";

export function initUpload({ onUploaded }) {
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
      label.textContent = fraction === null ? "Uploading…" : "Indexing…";
    } else {
      bar.value = fraction;
      label.textContent = `Uploading… ${Math.round(fraction * 100)}%`;
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData();
    for (const file of input.files) data.append("files", file);
    button.disabled = true;
    progress.hidden = false;
    showProgress(0);
    say(report, "");
    try {
      const result = await upload("/documents", data, showProgress);
      report.replaceChildren(...summary(result));
      form.reset();
      await onUploaded();
    } catch (error) {
      report.replaceChildren(h("p", { class: "error" }, error.message), ...refusals(error.body?.refused ?? []));
    } finally {
      button.disabled = false;
      progress.hidden = true;
    }
  });
}

function summary(result) {
  const sources = (docs) => docs.map((doc) => doc.source);
  return [
    h("p", {}, `Indexed ${plural(result.counts.chunks, "passage")} in ${result.seconds} s.`),
    ...group("Added", sources(result.added)),
    ...group("Replaced", sources(result.replaced)),
    ...group("Already indexed", result.unchanged),
    ...refusals(result.refused),
  ];
}

function refusals(refused) {
  if (!refused.length) return [];
  return [h("p", { class: "group-title refused-title" }, `Refused (${refused.length})`),
    h("ul", { class: "refused" }, refused.map((r) => h("li", {}, h("span", { class: "source" }, r.source), ": ", r.reason)))];
}

function group(title, names) {
  if (!names.length) return [];
  return [h("p", { class: "group-title" }, `${title} (${names.length})`),
    h("ul", {}, names.map((name) => h("li", { class: "source" }, name)))];
}
