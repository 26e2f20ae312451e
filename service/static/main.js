// Wires the page's parts together.
import { initConversation } from "./conversation.js";
import { initDocuments } from "./documents.js";
import { initUpload } from "./upload.js";
import { initViewer } from "./viewer.js";

const viewer = initViewer();
const documents = initDocuments();
initConversation({ onCite: viewer.open, onNewConversation: viewer.reset });
initUpload({ onUploaded: documents.refresh });
documents.refresh();
