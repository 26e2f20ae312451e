// Wires the page's parts together. The page's words first: everything after speaks the
// person's language. What the page shows is what the key may read: the documents and the
// collections come from the service, which answers each key with its own.
import { forgetKey, hasKey } from "./api.js";
import { initLanguage } from "./language.js";
import { initCollections } from "./collections.js";
import { initConversation } from "./conversation.js";
import { initDocuments } from "./documents.js";
import { initUpload } from "./upload.js";
import { initViewer } from "./viewer.js";

initLanguage();
const viewer = initViewer();
const collections = initCollections();
const documents = initDocuments({ canWrite: collections.canWrite });
const conversation = initConversation({ onCite: viewer.open, onNewConversation: viewer.reset,
  collections: collections.asked });
initUpload({ target: collections.uploadTarget, onUploaded: () => load() });

const changeKey = document.getElementById("change-key");

async function load() {
  try {
    await collections.refresh(); // asks for the key first when the service needs one
  } catch (error) {
    documents.fail(error);
    return;
  }
  await documents.refresh();
  changeKey.hidden = !hasKey();
}

changeKey.addEventListener("click", async () => {
  forgetKey();
  conversation.startOver();
  await load();
});
load();
