// Every call to the API goes through here. A 401 asks the person for the key, which is kept
// for this tab only (sessionStorage) and sent on every later call; a wrong key asks again.
import { msg } from "./i18n.js";
import { askForKey } from "./key.js";

const KEY = "rag-api-key";

export class ApiError extends Error {
  // `text` is what the page shows: the service's own detail as it is, or the page's words.
  constructor(status, body, own = null) {
    const detail = typeof body?.detail === "string" ? body.detail : null;
    const text = own ?? detail ?? msg("statusError", status);
    super(String(text));
    this.status = status;
    this.body = body;
    this.text = text;
  }
}

const unreachable = () => new ApiError(0, null, msg("unreachable"));

export function request(method, path, json) {
  return withKey(async (headers) => {
    if (json !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(path, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
    } catch {
      throw unreachable();
    }
    return { status: response.status, body: parse(await response.text()) };
  });
}

// XMLHttpRequest rather than fetch: only it reports upload progress.
export function upload(path, formData, onProgress) {
  return withKey((headers) => new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", path);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => onProgress(event.lengthComputable ? event.loaded / event.total : null);
    xhr.onload = () => resolve({ status: xhr.status, body: parse(xhr.responseText) });
    xhr.onerror = () => reject(unreachable());
    xhr.send(formData);
  }));
}

async function withKey(send) {
  for (;;) {
    const sent = sessionStorage.getItem(KEY);
    const { status, body } = await send(sent ? { Authorization: `Bearer ${sent}` } : {});
    if (status >= 200 && status < 300) return body;
    if (status !== 401) throw new ApiError(status, body);
    const key = await askForKey({ refused: Boolean(sent) });
    if (!key) throw new ApiError(401, body, msg("keyCancelled"));
    sessionStorage.setItem(KEY, key);
  }
}

// Whether the service asked this tab for a key; forgetKey() lets the next call ask for another.
export const hasKey = () => Boolean(sessionStorage.getItem(KEY));
export const forgetKey = () => sessionStorage.removeItem(KEY);

function parse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
