// The upload form, into the collection chosen (collections.js): progress while the files travel,
// then how the service is getting on with them (POST /uploads?collection= answers at once with a
// job, which is polled; only the key that started it may poll it): which page of a scan OCR is
// reading, "Indexing…", then what was added, how many pages of each file OCR read, and why any
// file was refused.
import { ApiError, request, upload } from "./api.js";
import { h, languageOf, say } from "./dom.js";
import { SERVICE_LANGUAGE, msg } from "./i18n.js";

// Often enough that each page of a scan (seconds each) is seen, seldom enough to cost nothing.
const POLL_MS = 400;

export function initUpload({ target, onUploaded }) {
  const form = document.getElementById("upload-form");
  const input = document.getElementById("files");
  const button = document.getElementById("upload-button");
  const progress = document.getElementById("upload-progress");
  const bar = document.getElementById("upload-bar");
  const label = document.getElementById("upload-label");
  const report = document.getElementById("upload-report");

  // `fraction` of the bar, or null for an indeterminate one.
  function show(fraction, text) {
    if (fraction === null) bar.removeAttribute("value");
    else bar.value = fraction;
    say(label, text);
  }

  function showSending(fraction) {
    if (fraction === null) show(null, msg("uploading"));
    else if (fraction >= 1) show(null, msg("reading")); // sent: the service reads them now
    else show(fraction, msg("uploadingPercent", fraction));
  }

  function showJob(job) {
    if (job.state === "indexing") show(null, msg("indexing"));
    else if (job.ocr) show(job.ocr.page / job.ocr.pages, msg("ocrPage", job.ocr.source, job.ocr.page, job.ocr.pages));
    else show(null, msg("reading"));
  }

  // The job's report once it is done; its error, as POST /documents would have answered it, if it failed.
  async function finished(job) {
    while (job.state === "reading" || job.state === "indexing") {
      showJob(job);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      job = await request("GET", `/uploads/${encodeURIComponent(job.upload_id)}`);
    }
    if (job.state === "failed") throw new ApiError(job.status, job.error);
    return job.report;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData();
    for (const file of input.files) data.append("files", file);
    button.disabled = true;
    progress.hidden = false;
    showSending(0);
    say(report, null);
    try {
      const result = await finished(await upload(`/uploads?collection=${encodeURIComponent(target())}`, data,
        showSending));
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
  return [
    h("p", {}, msg("indexed", result.counts.chunks, result.seconds)),
    ...group("added", result.added),
    ...group("replaced", result.replaced),
    ...group("unchanged", result.unchanged.map((source) => ({ source, ocr_pages: [] }))),
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

// Documents by source, each with the number of its pages OCR read, if any.
function group(key, documents) {
  if (!documents.length) return [];
  return [h("p", { class: "group-title" }, msg(key, documents.length)),
    h("ul", {}, documents.map((doc) => h("li", {},
      h("span", { class: "source" }, doc.source),
      doc.ocr_pages.length ? h("span", { class: "ocr-pages" }, " · ", msg("ocrPages", doc.ocr_pages.length)) : null)))];
}
