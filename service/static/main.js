// Wires the page's parts together. The page's words first: everything after speaks the
// person's language.
import { initLanguage } from "./language.js";
import { initConversation } from "./conversation.js";
import { initDocuments } from "./documents.js";
import { initUpload } from "./upload.js";
import { initViewer } from "./viewer.js";

initLanguage();
const viewer = initViewer();
const documents = initDocuments();
initConversation({ onCite: viewer.open, onNewConversation: viewer.reset });
initUpload({ onUploaded: documents.refresh });
documents.refresh();
