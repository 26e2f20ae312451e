"""Messages shown to the person asking, in the question's language."""

NOT_FOUND = {
    "en": "Not found in the documents.",
    "es": "No se encontró en los documentos.",
    "pt": "Não encontrado nos documentos.",
}
TOO_LONG = {
    "en": "the question has {length} characters; the limit is {limit}. Shorten it.",
    "es": "la pregunta tiene {length} caracteres; el límite es {limit}. Acórtela.",
    "pt": "a pergunta tem {length} caracteres; o limite é {limit}. Encurte-a.",
}


def message(table: dict[str, str], language: str) -> str:
    return table.get(language, table["en"])
