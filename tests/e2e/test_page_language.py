"""The page speaks the person's language (English, Spanish or Portuguese): at first the browser's,
then the one chosen with the switch, at once and remembered. Answers, quotes, documents and the
service's messages are never translated by the page."""

from __future__ import annotations

import re

import pytest
from actions import ask, choose_language, latest_turn, marker, open_citation, progress_seen, watch_upload_progress
from playwright.sync_api import Page, expect

from test_page_documents import files

pytestmark = pytest.mark.e2e

# Words of the English page that would give away an untranslated string.
ENGLISH = re.compile(r"\b(Answer|Ask|Cancel|Citation|Close|Conversation|Delete|Documents|Loading|Question|Upload"
                     r"|passages?|characters|citations?|conversation|documents?|question)\b")

# The page's own words as a person (or a screen reader) gets them: text, and the labels, titles
# and placeholders of elements; not the question asked, the answer, document names and text.
PAGE_WORDS = """() => {
    const theirs = '.reply .text, .gloss-text, #viewer-title, .source, option, .refused li > span:last-child';
    const words = [document.title];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement;
        if (parent.closest(theirs) || parent.matches('.question')) continue;
        if (parent.closest('#viewer-text') && !parent.closest('.gloss-label')) continue;
        words.push(node.data);
    }
    for (const element of document.querySelectorAll('[aria-label], [title], [placeholder]')) {
        for (const name of ['aria-label', 'title', 'placeholder']) {
            const value = element.getAttribute(name);
            if (value) words.push(value.replace(/\\S+\\.(txt|md|pdf|docx|html)\\b/g, ''));
        }
    }
    return words.join(' | ');
}"""

SPANISH = {
    "lang": "es", "title": "Respuestas con citas", "ask_label": "Haga una pregunta en español, inglés o portugués",
    "ask": "Preguntar", "placeholder": "¿Qué países participan en TRACK4TIP?", "new": "Nueva conversación",
    "documents": "Documentos", "answer": "Respuesta", "citation": "Cita", "close": "Cerrar",
    "question": "¿Quién implementa TRACK4TIP?", "language": "Idioma",
}
PORTUGUESE = {
    "lang": "pt", "title": "Respostas com citações", "ask_label": "Faça uma pergunta em português, inglês ou espanhol",
    "ask": "Perguntar", "placeholder": "Quais países fazem parte do TRACK4TIP?", "new": "Nova conversa",
    "documents": "Documentos", "answer": "Resposta", "citation": "Citação", "close": "Fechar",
    "question": "Quem implementa o TRACK4TIP?", "language": "Idioma",
}
ENGLISH_PAGE = {
    "lang": "en", "title": "Cited answers", "ask_label": "Ask a question in English, Spanish or Portuguese",
    "ask": "Ask", "placeholder": "Which countries are in TRACK4TIP?", "new": "New conversation",
    "documents": "Documents", "answer": "Answer", "citation": "Citation", "close": "Close",
    "question": "Who implements TRACK4TIP?", "language": "Language",
}


def expect_page_in(page: Page, words: dict) -> None:
    expect(page.locator("html")).to_have_attribute("lang", words["lang"])
    expect(page).to_have_title(words["title"])
    expect(page.locator("#language")).to_have_value(words["lang"])
    expect(page.get_by_label(words["language"], exact=True)).to_be_visible()
    question = page.get_by_label(words["ask_label"], exact=True)
    expect(question).to_be_visible()
    expect(question).to_have_attribute("placeholder", words["placeholder"])
    expect(page.get_by_role("button", name=words["ask"], exact=True)).to_be_visible()
    expect(page.get_by_role("button", name=words["new"], exact=True)).to_be_visible()
    expect(page.locator("#library-title")).to_have_text(re.compile(rf"^{words['documents']} \(\d+\)$"))


@pytest.mark.parametrize(("locale", "words"), [("es-ES", SPANISH), ("pt-BR", PORTUGUESE)])
def test_the_page_speaks_the_browsers_language(page: Page, locale, words):
    expect_page_in(page, words)
    _, answer = ask(page, words["question"])
    assert answer["found"] is True and answer["language"] == words["lang"]
    turn = latest_turn(page)
    expect(turn.locator(".reply > .label")).to_have_text(words["answer"])
    expect(turn.locator(".reply > .label")).to_have_attribute("lang", words["lang"])
    expect(marker(turn.locator(".reply > .text"), 1)).to_have_attribute(
        "aria-label", f"{words['citation']} 1: {answer['citations'][0]['source']}")

    open_citation(page, 1)
    expect(page.locator("#viewer-meta")).to_contain_text(f"{words['citation']} 1 · caracteres")
    expect(page.get_by_role("button", name=words["close"])).to_be_visible()
    # Confirming a delete shows every kind of the page's words the list has.
    page.locator("#documents li").first.locator("button").click()
    left = ENGLISH.findall(page.evaluate(PAGE_WORDS))
    assert left == [], f"English left on the {locale} page"


def test_a_language_the_page_does_not_speak_falls_back_to_english(page: Page):
    expect_page_in(page, ENGLISH_PAGE)
    assert ENGLISH.findall(page.evaluate(PAGE_WORDS)), "the check for English words finds none on the English page"
    picked = page.evaluate("""async () => {
        const { pickLanguage } = await import('/static/i18n.js');
        return [['fr-CA', 'pt-PT', 'es'], ['es-419', 'en'], ['de', 'fr'], [], ['PT']].map(pickLanguage);
    }""")
    assert picked == ["pt", "es", "en", "en", "pt"]


@pytest.mark.parametrize("locale", ["fr-FR"])
def test_french_browsers_get_english(page: Page, locale):
    expect_page_in(page, ENGLISH_PAGE)


def test_every_text_exists_in_the_three_languages(page: Page):
    problems = page.evaluate("""async () => {
        const { TABLES, LANGUAGES } = await import('/static/i18n.js');
        const sample = [3, 'doc.txt', 42, 0.5];
        const problems = [];
        const en = TABLES.en;
        for (const language of Object.keys(LANGUAGES)) {
            const table = TABLES[language];
            for (const key of new Set([...Object.keys(en), ...Object.keys(table)])) {
                const value = table[key], english = en[key];
                if (typeof value !== typeof english) {
                    problems.push(`${language}.${key}: missing or of another kind`);
                    continue;
                }
                const text = typeof value === 'function' ? value(...sample) : value;
                if (typeof text !== 'string' || !text.trim()) problems.push(`${language}.${key}: empty`);
                const same = text === (typeof english === 'function' ? english(...sample) : english);
                if (language !== 'en' && same && !['escapeKey', 'page'].includes(key)) {
                    problems.push(`${language}.${key}: same as English`);
                }
            }
        }
        return problems;
    }""")
    assert problems == []


def test_the_switch_changes_the_page_at_once_and_is_remembered(page: Page):
    _, answer = ask(page, "Which countries are in TRACK4TIP?")
    expect_page_in(page, ENGLISH_PAGE)
    page.evaluate("window.sameDocument = true")

    # By keyboard: the switch is the stop before the question box; an arrow key picks the next language.
    page.locator("#question").focus()
    page.keyboard.press("Shift+Tab")
    switch = page.get_by_label("Language", exact=True)
    expect(switch).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect_page_in(page, SPANISH)
    assert page.evaluate("window.sameDocument") is True, "the page reloaded"
    # What was already on the page follows, in the page's words only: the answer stays as it was.
    turn = latest_turn(page)
    expect(turn.locator(".reply > .label")).to_have_text("Respuesta")
    expect(turn.locator(".reply > .label")).to_have_attribute("lang", "es")
    expect(turn.locator(".reply > .text")).to_contain_text("Ecuador, Peru, Brazil")
    expect(turn.locator(".reply > .meta")).to_contain_text(f"{len(answer['citations'])} citas")
    source = answer["citations"][0]["source"]
    expect(marker(turn, 1)).to_have_attribute("aria-label", f"Cita 1: {source}")
    expect(page.locator("#documents").get_by_role("button", name=f"Eliminar {source}")).to_be_visible()
    assert ENGLISH.findall(page.evaluate(PAGE_WORDS)) == []

    page.reload()
    expect_page_in(page, SPANISH)

    choose_language(page, "pt")
    expect_page_in(page, PORTUGUESE)
    page.reload()
    expect_page_in(page, PORTUGUESE)
    choose_language(page, "en")
    expect_page_in(page, ENGLISH_PAGE)


@pytest.mark.parametrize("locale", ["es-ES"])
def test_upload_and_delete_speak_spanish_but_refusals_stay_the_services(page: Page, locale):
    watch_upload_progress(page)
    page.get_by_label("Añadir documentos").set_input_files(files(**{
        "cuaderno.md": b"# Cuaderno\n\nEl ferry a Isla Verde sale al amanecer los martes.\n",
        "vacio.txt": b"",
    }))
    page.get_by_role("button", name="Subir", exact=True).click()
    report = page.locator("#upload-report")
    expect(report).to_contain_text("Añadidos (1)")
    expect(report).to_contain_text(re.compile(r"Se indexaron \d+ pasajes? en [\d,]+ s\."))
    expect(report).to_contain_text("Rechazados (1)")
    reason = report.locator(".refused li span[lang]")
    expect(reason).to_contain_text("empty file")
    expect(reason).to_have_attribute("lang", "en")
    assert "Leyendo los archivos…" in progress_seen(page)

    row = page.locator("#documents li", has_text="cuaderno.md")
    row.get_by_role("button", name="Eliminar cuaderno.md").click()
    expect(row).to_contain_text("¿Eliminar del índice?")
    expect(row.get_by_role("button", name="Cancelar")).to_be_focused()
    row.get_by_role("button", name="Confirmar: eliminar cuaderno.md").click()
    expect(page.locator("#documents-status")).to_have_text("Se eliminó cuaderno.md.")
    expect(row).to_have_count(0)
