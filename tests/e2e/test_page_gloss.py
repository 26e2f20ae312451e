"""Machine translations (glosses) of quotes in another language than the question's: under the
answer, and under the quote in the cited document; labelled as such, never in the quote's place.

The page is tested on the real app's answers. All but the last test add the glosses themselves
(routing POST /ask only), so that they test the page whatever the service's translator says; the
last one asks the service itself."""

from __future__ import annotations

import os
import re
import shutil

import pytest
from actions import ask, choose_language, latest_turn, marker, open_citation
from playwright.sync_api import Page, Route, expect

pytestmark = pytest.mark.e2e

QUESTION = "¿Qué países participan en TRACK4TIP?"
GLOSSES = {
    "Participants included representatives of the Ministries of Justice, Interior, Foreign Affairs and the "
    "Prosecutorial Service.":
        "Entre los participantes hubo representantes de los Ministerios de Justicia, Interior, Relaciones "
        "Exteriores y del Ministerio Público.",
    "Among these, the Group on Trafficking and Mixed Migration Flows stands out, in which UNODC plays a "
    "facilitating role through the TRACK4TIP initiative financed by the United States Department of State.":
        "Entre ellos destaca el Grupo sobre Trata y Flujos Migratorios Mixtos, en el que la UNODC cumple un papel "
        "facilitador mediante la iniciativa TRACK4TIP, financiada por el Departamento de Estado de los Estados Unidos.",
}
SPANISH_LABEL = "Traducción automática (Apertium), no es texto del documento"
ENGLISH_LABEL = "Machine translation (Apertium), not from the document"


def gloss_of(quote: str, n: int) -> str:
    # Retrieval may cite other passages some day: those get a stand-in translation.
    return GLOSSES.get(quote, f"Traducción automática de la cita {n}.")


def with_glosses(page: Page, change=gloss_of) -> None:
    """The real app answers POST /ask; its answer gets a gloss for every citation."""

    def add_glosses(route: Route) -> None:
        if route.request.method != "POST":
            route.fallback()
            return
        response = route.fetch()
        answer = response.json()
        glossed = answer["answer"]
        for n, citation in enumerate(answer["citations"], 1):
            citation["gloss"] = change(citation["quote"], n)
            glossed = glossed.replace(citation["quote"], citation["gloss"])
        answer["answer_gloss"] = glossed if answer["citations"] else None
        route.fulfill(response=response, json=answer)

    page.route("**/ask", add_glosses)


def shown(text: str) -> str:
    """Text with [n] markers as the page shows them: the marker buttons read n."""
    return re.sub(r"\[(\d+)\]", r"\1", text)


def document_text(page: Page) -> str:
    """The viewer's text without the gloss set into it."""
    return page.evaluate("""() => {
        const copy = document.getElementById('viewer-text').cloneNode(true);
        copy.querySelectorAll('.gloss').forEach((gloss) => gloss.remove());
        return copy.textContent;
    }""")


@pytest.mark.parametrize("locale", ["es-ES"])
def test_the_answer_gloss_sits_under_the_answer_labelled_as_machine_translation(page: Page, locale):
    with_glosses(page)
    _, answer = ask(page, QUESTION)
    assert answer["found"] is True and answer["language"] == "es" and answer["answer_gloss"]
    citations = answer["citations"]
    turn = latest_turn(page)

    # The answer itself is the documents' words, untouched.
    expect(turn.locator(".reply > .text")).to_have_text(shown(answer["answer"]))
    gloss = turn.locator(".reply > .gloss")
    expect(gloss).to_be_visible()
    expect(gloss).to_have_attribute("role", "note")
    expect(gloss).to_have_attribute("lang", "es")
    expect(gloss.locator(".gloss-label")).to_have_text(SPANISH_LABEL)
    expect(gloss.locator(".text")).to_have_text(shown(answer["answer_gloss"]))
    # Under the answer, above its sources and the count of citations.
    assert turn.locator(".reply > *").evaluate_all("parts => parts.map((p) => p.className)") == \
        ["label", "text", "gloss", "sources", "meta"]
    # Its markers are buttons like the answer's.
    markers = gloss.locator("button.marker")
    expect(markers).to_have_count(len(citations))
    for n, citation in enumerate(citations, 1):
        expect(marker(gloss, n)).to_have_attribute("aria-label", f"Cita {n}: {citation['source']}")
    # Different from the answer's look.
    backgrounds = [turn.locator(part).evaluate("e => getComputedStyle(e).backgroundColor")
                   for part in (".reply", ".reply > .gloss")]
    assert backgrounds[0] != backgrounds[1]

    # The label follows the page's language; the gloss stays in the question's.
    choose_language(page, "en")
    expect(gloss.locator(".gloss-label")).to_have_text(ENGLISH_LABEL)
    expect(gloss.locator(".gloss-label")).to_have_attribute("lang", "en")
    expect(gloss).to_have_attribute("lang", "es")
    expect(gloss.locator(".text")).to_have_text(shown(answer["answer_gloss"]))


@pytest.mark.parametrize("locale", ["es-ES"])
def test_the_document_shows_the_gloss_under_the_quote_and_the_quote_as_it_is(page: Page, locale, served):
    with_glosses(page)
    _, answer = ask(page, QUESTION)
    n = 2 if len(answer["citations"]) >= 2 else 1
    citation = answer["citations"][n - 1]
    mark = open_citation(page, n, in_gloss=True)

    assert mark.text_content() == citation["quote"]
    expect(mark).to_be_focused()
    gloss = page.locator("#viewer-text mark + .gloss")
    expect(gloss).to_be_visible()
    expect(gloss).to_have_attribute("lang", "es")
    expect(gloss).to_have_attribute("role", "note")
    expect(gloss.locator(".gloss-label")).to_have_text(SPANISH_LABEL)
    expect(gloss.locator(".gloss-text")).to_have_text(citation["gloss"])
    expect(mark).to_have_attribute("aria-describedby", gloss.get_attribute("id"))
    # The document is in its own language, and its text is all there, unchanged.
    expect(page.locator("#viewer-text")).to_have_attribute("lang", citation["language"])
    text = served.client.get(f"/documents/{citation['doc_id']}/text").json()["text"]
    assert document_text(page) == text
    # The gloss is under the quote, not over it.
    quote_box, gloss_box = mark.bounding_box(), gloss.bounding_box()
    assert gloss_box["y"] >= quote_box["y"] + quote_box["height"] - 1

    # Escape returns to the marker that opened it, in the gloss.
    page.keyboard.press("Escape")
    expect(marker(latest_turn(page).locator(".reply .gloss"), n)).to_be_focused()

    # A citation without a gloss shows the document alone.
    page.unroute("**/ask")
    _, english = ask(page, "Which countries are in TRACK4TIP?")
    assert english["answer_gloss"] is None and all(c["gloss"] is None for c in english["citations"])
    reply = latest_turn(page).locator(".reply")
    expect(reply.locator(".gloss")).to_have_count(0)
    assert reply.locator("> *").evaluate_all("parts => parts.map((p) => p.className)") == \
        ["label", "text", "sources", "meta"]
    expect(reply.locator("> .text")).to_have_text(shown(english["answer"]))
    open_citation(page, 1)
    expect(page.locator("#viewer-text .gloss")).to_have_count(0)


def test_gloss_text_is_text_never_markup(page: Page):
    with_glosses(page, lambda quote, n: f'<img src="/x" onerror="window.ran = true"><b>{n}</b>')
    ask(page, QUESTION)
    gloss = latest_turn(page).locator(".reply > .gloss")
    expect(gloss.locator(".text")).to_contain_text('<img src="/x"')
    open_citation(page, 1, in_gloss=True)
    expect(page.locator("#viewer-text .gloss-text")).to_have_text('<img src="/x" onerror="window.ran = true"><b>1</b>')
    expect(page.locator(".turn img, .turn b, #viewer img, #viewer b")).to_have_count(0)
    assert page.evaluate("window.ran") is None


@pytest.mark.integration
@pytest.mark.parametrize("locale", ["es-ES"])
def test_the_service_glosses_an_english_quote_for_a_spanish_question(page: Page, locale):
    if shutil.which("apertium") is None:
        reason = ("apertium is not installed (apt-get install apertium apertium-eng-spa apertium-es-pt): "
                  "the service cannot gloss")
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    _, answer = ask(page, "¿Quién implementa TRACK4TIP?")
    assert answer["found"] is True and answer["citations"][0]["language"] == "en"
    gloss = latest_turn(page).locator(".reply > .gloss")
    expect(gloss).to_be_visible()
    expect(gloss.locator(".gloss-label")).to_have_text(SPANISH_LABEL)
    expect(gloss).to_have_attribute("lang", "es")
    mark = open_citation(page, 1, in_gloss=True)
    assert mark.text_content() == answer["citations"][0]["quote"]
    expect(page.locator("#viewer-text mark + .gloss .gloss-text")).to_have_text(answer["citations"][0]["gloss"])
