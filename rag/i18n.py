"""Messages shown to the person asking, in the question's language."""

NOT_FOUND = {
    "en": "Not found in the documents.",
    "es": "No se encontró en los documentos.",
    "pt": "Não encontrado nos documentos.",
}

def message(table: dict[str, str], language: str) -> str:
    return table.get(language, table["en"])
