// The page's own words, in English, Spanish and Portuguese: every string meant for the person
// lives here, one table per language. Answers, quotes, documents and the service's messages
// (error details, refusal reasons) are never translated by the page.
//
// Modules build text with msg(key, ...args) rather than strings: dom.js turns it into a text
// node or attribute that follows the language switch, so the whole page changes language at
// once, without a reload.

export const LANGUAGES = { en: "English", es: "Español", pt: "Português" };
// The service's own messages (error details, refusal reasons) are in English.
export const SERVICE_LANGUAGE = "en";
const STORED = "rag-language";

// Number formats and plurals of one language. The tables' functions get raw numbers.
function formats(locale) {
  const numbers = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  const percents = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 0 });
  return {
    num: (n) => numbers.format(n),
    percent: (fraction) => percents.format(fraction),
    count: (n, one, many) => `${numbers.format(n)} ${n === 1 ? one : many}`,
  };
}

// A citation's source with its page ("report.pdf, p. 2"); a source without pages (null) alone.
function onPage(source, page, abbreviation) {
  return page == null ? source : `${source}, ${abbreviation} ${page}`;
}

export const TABLES = {
  en: (({ num, percent, count }) => ({
    pageTitle: "Cited answers",
    tagline: "Answers from your organisation's documents. Every sentence links to the passage it quotes.",
    language: "Language",
    askLabel: "Ask a question in English, Spanish or Portuguese",
    askPlaceholder: "Which countries are in TRACK4TIP?",
    ask: "Ask",
    conversation: "Conversation",
    newConversation: "New conversation",
    conversationHint: "Answers appear here, newest first. A follow-up question continues the conversation.",
    conversationEnded: (detail) =>
      `The conversation could not be continued: ${detail} A new conversation has started: ask your question again.`,
    searching: "Searching the documents…",
    questionMark: "Q",
    questionPrefix: "Question: ",
    answer: "Answer",
    notFound: "Not found in the documents",
    notFoundHint: "Try other words, or add documents that cover it.",
    answerMeta: (citations, ms) => `${count(citations, "citation", "citations")} · ${num(ms)} ms`,
    couldNotAnswer: "Could not answer",
    citation: (n, source, page) => `Citation ${n}: ${onPage(source, page, "p.")}`,
    citationTitle: (source, start, end, page) => `${onPage(source, page, "p.")}, characters ${start}–${end}`,
    machineTranslation: "Machine translation (Apertium), not from the document",
    documents: "Documents",
    documentsCount: (n) => `Documents (${num(n)})`,
    noDocuments: "No documents yet: upload some to ask about them.",
    documentMeta: (collection, format, language, passages) =>
      `${collection} · ${format} · ${language} · ${count(passages, "passage", "passages")}`,
    changeKey: "Change key",
    searchIn: "Search in",
    allCollections: "All my collections",
    uploadInto: "Add to collection",
    cannotUpload: "This key may read documents but not add them.",
    delete: "Delete",
    deleteDocument: (source) => `Delete ${source}`,
    confirmDelete: "Delete from the index?",
    confirmDeleteDocument: (source) => `Confirm: delete ${source}`,
    cancel: "Cancel",
    deleted: (source) => `Deleted ${source}.`,
    addDocuments: "Add documents: .txt, .md, .html, .htm, .pdf, .docx, .odt, scans (.png, .jpg, .jpeg, .tif, .tiff), "
      + "or e-mails (.eml, .msg) with their attachments",
    upload: "Upload",
    uploading: "Uploading…",
    uploadingPercent: (fraction) => `Uploading… ${percent(fraction)}`,
    reading: "Reading the files…",
    ocrPage: (source, page, pages) => `${source}: OCR page ${num(page)} of ${num(pages)}`,
    indexing: "Indexing…",
    indexed: (passages, seconds) => `Indexed ${count(passages, "passage", "passages")} in ${num(seconds)} s.`,
    added: (n) => `Added (${num(n)})`,
    replaced: (n) => `Replaced (${num(n)})`,
    unchanged: (n) => `Already indexed (${num(n)})`,
    refused: (n) => `Refused (${num(n)})`,
    ocrPages: (n) => count(n, "page read by OCR", "pages read by OCR"),
    sources: "Sources",
    page: (n) => `p. ${num(n)}`,
    citedDocument: "Cited document",
    close: "Close",
    escapeKey: "Esc",
    documentText: "Document text",
    viewerMeta: (n, start, end) => `Citation ${n} · characters ${start}–${end}`,
    loadingDocument: "Loading the document…",
    keyNeeded: "API key needed",
    apiKey: "API key",
    useKey: "Use this key",
    keyAsk: "This service needs an API key. It is kept for this browser tab only.",
    keyRefused: "That key was refused. Enter the API key again.",
    keyCancelled: "this service needs an API key; try again to enter it.",
    unreachable: "could not reach the service; check that it is running, then try again.",
    statusError: (status) => `the service answered with status ${status}; try again.`,
  }))(formats("en")),

  es: (({ num, percent, count }) => ({
    pageTitle: "Respuestas con citas",
    tagline: "Respuestas a partir de los documentos de su organización. Cada frase enlaza con el pasaje que cita.",
    language: "Idioma",
    askLabel: "Haga una pregunta en español, inglés o portugués",
    askPlaceholder: "¿Qué países participan en TRACK4TIP?",
    ask: "Preguntar",
    conversation: "Conversación",
    newConversation: "Nueva conversación",
    conversationHint: "Las respuestas aparecen aquí, la más reciente primero. "
      + "Una pregunta de seguimiento continúa la conversación.",
    conversationEnded: (detail) =>
      `No se pudo continuar la conversación: ${detail} `
      + "Se ha iniciado una conversación nueva: vuelva a hacer su pregunta.",
    searching: "Buscando en los documentos…",
    questionMark: "P",
    questionPrefix: "Pregunta: ",
    answer: "Respuesta",
    notFound: "No se encontró en los documentos",
    notFoundHint: "Pruebe con otras palabras o añada documentos que traten el tema.",
    answerMeta: (citations, ms) => `${count(citations, "cita", "citas")} · ${num(ms)} ms`,
    couldNotAnswer: "No se pudo responder",
    citation: (n, source, page) => `Cita ${n}: ${onPage(source, page, "pág.")}`,
    citationTitle: (source, start, end, page) => `${onPage(source, page, "pág.")}, caracteres ${start}–${end}`,
    machineTranslation: "Traducción automática (Apertium), no es texto del documento",
    documents: "Documentos",
    documentsCount: (n) => `Documentos (${num(n)})`,
    noDocuments: "Aún no hay documentos: suba algunos para hacer preguntas sobre ellos.",
    documentMeta: (collection, format, language, passages) =>
      `${collection} · ${format} · ${language} · ${count(passages, "pasaje", "pasajes")}`,
    changeKey: "Cambiar de clave",
    searchIn: "Buscar en",
    allCollections: "Todas mis colecciones",
    uploadInto: "Añadir a la colección",
    cannotUpload: "Esta clave puede leer documentos, pero no añadirlos.",
    delete: "Eliminar",
    deleteDocument: (source) => `Eliminar ${source}`,
    confirmDelete: "¿Eliminar del índice?",
    confirmDeleteDocument: (source) => `Confirmar: eliminar ${source}`,
    cancel: "Cancelar",
    deleted: (source) => `Se eliminó ${source}.`,
    addDocuments: "Añadir documentos: .txt, .md, .html, .htm, .pdf, .docx, .odt, escaneos (.png, .jpg, .jpeg, .tif, "
      + ".tiff) o correos (.eml, .msg) con sus adjuntos",
    upload: "Subir",
    uploading: "Subiendo…",
    uploadingPercent: (fraction) => `Subiendo… ${percent(fraction)}`,
    reading: "Leyendo los archivos…",
    ocrPage: (source, page, pages) => `${source}: OCR, página ${num(page)} de ${num(pages)}`,
    indexing: "Indexando…",
    indexed: (passages, seconds) => `Se indexaron ${count(passages, "pasaje", "pasajes")} en ${num(seconds)} s.`,
    added: (n) => `Añadidos (${num(n)})`,
    replaced: (n) => `Reemplazados (${num(n)})`,
    unchanged: (n) => `Ya indexados (${num(n)})`,
    refused: (n) => `Rechazados (${num(n)})`,
    ocrPages: (n) => count(n, "página leída por OCR", "páginas leídas por OCR"),
    sources: "Fuentes",
    page: (n) => `pág. ${num(n)}`,
    citedDocument: "Documento citado",
    close: "Cerrar",
    escapeKey: "Esc",
    documentText: "Texto del documento",
    viewerMeta: (n, start, end) => `Cita ${n} · caracteres ${start}–${end}`,
    loadingDocument: "Cargando el documento…",
    keyNeeded: "Se necesita una clave de API",
    apiKey: "Clave de API",
    useKey: "Usar esta clave",
    keyAsk: "Este servicio necesita una clave de API. Solo se guarda para esta pestaña del navegador.",
    keyRefused: "Esa clave fue rechazada. Vuelva a introducir la clave de API.",
    keyCancelled: "este servicio necesita una clave de API; vuelva a intentarlo para introducirla.",
    unreachable: "no se pudo conectar con el servicio; compruebe que está en marcha y vuelva a intentarlo.",
    statusError: (status) => `el servicio respondió con el estado ${status}; vuelva a intentarlo.`,
  }))(formats("es")),

  pt: (({ num, percent, count }) => ({
    pageTitle: "Respostas com citações",
    tagline: "Respostas a partir dos documentos da sua organização. Cada frase leva ao trecho que cita.",
    language: "Idioma",
    askLabel: "Faça uma pergunta em português, inglês ou espanhol",
    askPlaceholder: "Quais países fazem parte do TRACK4TIP?",
    ask: "Perguntar",
    conversation: "Conversa",
    newConversation: "Nova conversa",
    conversationHint: "As respostas aparecem aqui, a mais recente primeiro. "
      + "Uma pergunta de acompanhamento continua a conversa.",
    conversationEnded: (detail) =>
      `Não foi possível continuar a conversa: ${detail} Uma nova conversa foi iniciada: faça sua pergunta novamente.`,
    searching: "Buscando nos documentos…",
    questionMark: "P",
    questionPrefix: "Pergunta: ",
    answer: "Resposta",
    notFound: "Não encontrado nos documentos",
    notFoundHint: "Tente outras palavras ou adicione documentos que tratem do assunto.",
    answerMeta: (citations, ms) => `${count(citations, "citação", "citações")} · ${num(ms)} ms`,
    couldNotAnswer: "Não foi possível responder",
    citation: (n, source, page) => `Citação ${n}: ${onPage(source, page, "p.")}`,
    citationTitle: (source, start, end, page) => `${onPage(source, page, "p.")}, caracteres ${start}–${end}`,
    machineTranslation: "Tradução automática (Apertium), não é texto do documento",
    documents: "Documentos",
    documentsCount: (n) => `Documentos (${num(n)})`,
    noDocuments: "Ainda não há documentos: envie alguns para fazer perguntas sobre eles.",
    documentMeta: (collection, format, language, passages) =>
      `${collection} · ${format} · ${language} · ${count(passages, "trecho", "trechos")}`,
    changeKey: "Trocar de chave",
    searchIn: "Pesquisar em",
    allCollections: "Todas as minhas coleções",
    uploadInto: "Adicionar à coleção",
    cannotUpload: "Esta chave pode ler documentos, mas não adicioná-los.",
    delete: "Excluir",
    deleteDocument: (source) => `Excluir ${source}`,
    confirmDelete: "Excluir do índice?",
    confirmDeleteDocument: (source) => `Confirmar: excluir ${source}`,
    cancel: "Cancelar",
    deleted: (source) => `Excluído: ${source}.`,
    addDocuments: "Adicionar documentos: .txt, .md, .html, .htm, .pdf, .docx, .odt, digitalizações (.png, .jpg, .jpeg, "
      + ".tif, .tiff) ou e-mails (.eml, .msg) com seus anexos",
    upload: "Enviar",
    uploading: "Enviando…",
    uploadingPercent: (fraction) => `Enviando… ${percent(fraction)}`,
    reading: "Lendo os arquivos…",
    ocrPage: (source, page, pages) => `${source}: OCR, página ${num(page)} de ${num(pages)}`,
    indexing: "Indexando…",
    indexed: (passages, seconds) =>
      `${count(passages, "trecho indexado", "trechos indexados")} em ${num(seconds)} s.`,
    added: (n) => `Adicionados (${num(n)})`,
    replaced: (n) => `Substituídos (${num(n)})`,
    unchanged: (n) => `Já indexados (${num(n)})`,
    refused: (n) => `Recusados (${num(n)})`,
    ocrPages: (n) => count(n, "página lida por OCR", "páginas lidas por OCR"),
    sources: "Fontes",
    page: (n) => `p. ${num(n)}`,
    citedDocument: "Documento citado",
    close: "Fechar",
    escapeKey: "Esc",
    documentText: "Texto do documento",
    viewerMeta: (n, start, end) => `Citação ${n} · caracteres ${start}–${end}`,
    loadingDocument: "Carregando o documento…",
    keyNeeded: "É necessária uma chave de API",
    apiKey: "Chave de API",
    useKey: "Usar esta chave",
    keyAsk: "Este serviço precisa de uma chave de API. Ela fica guardada somente nesta aba do navegador.",
    keyRefused: "Essa chave foi recusada. Digite a chave de API novamente.",
    keyCancelled: "este serviço precisa de uma chave de API; tente novamente para digitá-la.",
    unreachable: "não foi possível conectar ao serviço; verifique se ele está em execução e tente novamente.",
    statusError: (status) => `o serviço respondeu com o status ${status}; tente novamente.`,
  }))(formats("pt")),
};

// Text that is worked out again whenever the language changes.
export class Localized {
  constructor(resolve) {
    this.resolve = resolve;
  }

  toString() {
    return this.resolve();
  }
}

// The text of `key` in the page's language; an argument may itself be Localized.
export function msg(key, ...args) {
  if (!(key in TABLES.en)) throw new Error(`no page text "${key}"`);
  return new Localized(() => translate(current, key, args));
}

// The page's language, for the lang attribute of its own words inside text in another language.
export const UI_LANG = new Localized(() => current);

export function translate(language, key, args = []) {
  const entry = TABLES[language][key];
  const values = args.map((arg) => (arg instanceof Localized ? arg.resolve() : arg));
  return typeof entry === "function" ? entry(...values) : entry;
}

// The first of the person's languages the page speaks, by primary subtag ("pt-BR" is pt).
export function pickLanguage(preferences) {
  for (const tag of preferences ?? []) {
    const primary = String(tag).toLowerCase().split("-")[0];
    if (primary in LANGUAGES) return primary;
  }
  return "en";
}

function stored() {
  try {
    const value = localStorage.getItem(STORED);
    return value in LANGUAGES ? value : null;
  } catch {
    return null; // storage disabled: follow the browser
  }
}

let current = stored() ?? pickLanguage(navigator.languages?.length ? navigator.languages : [navigator.language]);
document.documentElement.lang = current;

export function language() {
  return current;
}

// Nodes and attributes showing Localized text. Held weakly: removed parts of the page go away.
const bound = new Set();
let sinceSweep = 0;

export function bind(node, attribute, text) {
  const entry = { ref: new WeakRef(node), attribute, text };
  show(node, entry);
  bound.add(entry);
  if (++sinceSweep > 500) sweep();
}

function show(node, { attribute, text }) {
  const value = text.resolve();
  if (attribute === null) node.data = value;
  else node.setAttribute(attribute, value);
}

function sweep() {
  sinceSweep = 0;
  for (const entry of bound) {
    if (!entry.ref.deref()) bound.delete(entry);
  }
}

export function setLanguage(language) {
  if (!(language in LANGUAGES)) return;
  current = language;
  document.documentElement.lang = language;
  try {
    localStorage.setItem(STORED, language);
  } catch {
    // storage disabled: the choice lasts until the page is reloaded
  }
  sweep();
  for (const entry of bound) show(entry.ref.deref(), entry);
}
