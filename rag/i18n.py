"""Messages shown to the person asking, in the question's language."""

NOT_FOUND = {
    "en": "Not found in the documents.",
    "es": "No se encontró en los documentos.",
    "pt": "Não encontrado nos documentos.",
}
# Not "not found": with no documents there is nothing to find anything in, and the fix is to add some.
NO_DOCUMENTS = {
    "en": "The index has no documents yet. Add some with `rag ingest PATH` or the page's Upload button, "
          "then ask again.",
    "es": "El índice aún no tiene documentos. Añada algunos con `rag ingest RUTA` o el botón Subir de la "
          "página, y vuelva a preguntar.",
    "pt": "O índice ainda não tem documentos. Adicione alguns com `rag ingest CAMINHO` ou o botão Enviar da "
          "página, e pergunte de novo.",
}
TOO_LONG = {
    "en": "the question has {length} characters; the limit is {limit}. Shorten it.",
    "es": "la pregunta tiene {length} caracteres; el límite es {limit}. Acórtela.",
    "pt": "a pergunta tem {length} caracteres; o limite é {limit}. Encurte-a.",
}


def message(table: dict[str, str], language: str) -> str:
    return table.get(language, table["en"])
