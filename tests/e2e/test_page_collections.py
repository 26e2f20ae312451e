"""Two collections, two keys: the page shows each key only what it may read, asks for the key,
changes it on request, and offers an upload only where the key may write: into the collection
chosen, through an upload job whose OCR pages it shows."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from actions import ask, progress_seen, watch_upload_progress
from playwright.sync_api import Page, expect
from served import ROOT, Served, live
from test_page_documents import files

from rag import ocr
from rag.keys import KeyStore
from rag.settings import BUNDLED_MODEL, Settings
from service.app import create_app

sys.path.append(str(ROOT / "tests"))
from ocr_renders import TEXTS, pdf, render  # noqa: E402

pytestmark = pytest.mark.e2e

ADMIN = "admin key of the test"
# A fact only collection B holds.
SECRET = {"harbour.txt": "The old lighthouse on Gull Point was built in 1874 by the engineer Margaret Holloway."}
QUESTION = "Who built the lighthouse on Gull Point?"


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("index")


@pytest.fixture(scope="module")
def keys(index_dir: Path) -> dict[str, str]:
    store = KeyStore(index_dir)
    made = {"a": store.add("unit-a", read=frozenset({"a"}), write=frozenset({"a"})),
            "b": store.add("unit-b", read=frozenset({"b"}), write=frozenset({"b"})),
            "reader": store.add("reader", read=frozenset({"a", "b"}), write=frozenset()),
            # Collections of its own, so that what it uploads changes nothing the other keys see.
            "writer": store.add("writer", read=frozenset({"c", "d"}), write=frozenset({"c", "d"}))}
    store.close()
    return made


@pytest.fixture(scope="module")
def served(index_dir: Path, keys: dict[str, str]) -> Iterator[Served]:
    settings = Settings(index_dir=index_dir, embedding_model=BUNDLED_MODEL, api_key=ADMIN)
    with live(create_app(settings), headers={"Authorization": f"Bearer {ADMIN}"}) as running:
        seeds = {path.name: path.read_text("utf-8") for path in sorted((ROOT / "seeds").iterdir())}
        assert upload_into(running, "a", seeds).status_code == 200
        assert upload_into(running, "b", SECRET).status_code == 200
        yield running


def upload_into(running: Served, collection: str, files: dict):
    return running.client.post("/documents", params={"collection": collection},
                               files=[("files", (name, text.encode())) for name, text in files.items()])


def enter_key(page: Page, key: str) -> None:
    dialog = page.get_by_role("dialog", name="API key needed")
    expect(dialog).to_be_visible()
    page.get_by_label("API key", exact=True).fill(key)
    dialog.get_by_role("button", name="Use this key").click()
    expect(dialog).to_be_hidden()


def sources(page: Page) -> list[str]:
    return page.locator("#documents .source").all_text_contents()


def test_each_key_sees_its_collection_only_and_the_key_can_be_changed(page: Page, keys):
    enter_key(page, keys["a"])
    expect(page.locator("#library-title")).to_have_text("Documents (5)")
    assert "harbour.txt" not in sources(page)
    expect(page.locator("#documents .meta").first).to_contain_text("a · txt")
    expect(page.get_by_role("button", name="Delete")).to_have_count(5)
    # One collection to read and one to write: nothing to choose.
    expect(page.locator("#ask-collection")).to_be_hidden()
    expect(page.locator("#upload-collection")).to_be_hidden()
    _, answer = ask(page, QUESTION)
    assert answer["found"] is False
    expect(page.locator(".turn").first).to_contain_text("Not found in the documents")

    page.get_by_role("button", name="Change key").click()
    enter_key(page, keys["b"])
    expect(page.locator("#library-title")).to_have_text("Documents (1)")
    assert sources(page) == ["harbour.txt"]
    expect(page.locator(".turn")).to_have_count(0)  # the other key's conversation is gone
    sent, answer = ask(page, QUESTION)
    assert answer["found"] is True and "Margaret Holloway" in answer["answer"]
    assert "conversation_id" not in sent


def test_a_key_that_reads_two_collections_chooses_where_to_search_and_cannot_upload(page: Page, keys):
    enter_key(page, keys["reader"])
    expect(page.locator("#library-title")).to_have_text("Documents (6)")
    expect(page.get_by_text("This key may read documents but not add them.")).to_be_visible()
    expect(page.locator("#files")).to_be_disabled()
    expect(page.locator("#documents .document")).to_have_count(6)
    expect(page.get_by_role("button", name="Delete")).to_have_count(0)  # nothing the key may remove
    scope = page.get_by_label("Search in")
    expect(scope).to_be_visible()
    scope.select_option("a")
    sent, answer = ask(page, QUESTION)
    assert sent["collections"] == ["a"] and answer["found"] is False
    scope.select_option("")
    sent, answer = ask(page, QUESTION)
    assert "collections" not in sent and answer["found"] is True


@pytest.mark.skipif(not ocr.available(), reason=ocr.NOTICE)
def test_a_scan_goes_into_the_collection_chosen_showing_each_page_ocr_reads(page: Page, served, keys):
    enter_key(page, keys["writer"])
    target = page.get_by_label("Add to collection")
    expect(target).to_be_visible()  # two collections to write: a choice
    target.select_option("d")
    watch_upload_progress(page)
    scan = pdf([render(TEXTS[language], seed=n) for n, language in enumerate(["en", "es"])])
    page.get_by_label("Add documents").set_input_files(files(**{"scan.pdf": scan}))
    with page.expect_request(lambda r: r.method == "POST" and "/uploads" in r.url) as started:
        page.get_by_role("button", name="Upload").click()
    assert started.value.url.endswith("/uploads?collection=d")

    report = page.locator("#upload-report")
    expect(report).to_contain_text("Added (1)", timeout=600_000)  # two OCR pages under the suite's load
    ocr_labels = [label for label in progress_seen(page) if "OCR page" in label]
    assert ocr_labels, "no page of the scan was shown while OCR read it"
    assert all(re.fullmatch(r"scan\.pdf: OCR page [12] of 2", label) for label in ocr_labels), ocr_labels
    expect(report.locator("li", has_text="scan.pdf")).to_have_text("scan.pdf · 2 pages read by OCR")
    expect(page.locator("#documents li", has_text="scan.pdf")).to_contain_text("d · pdf")
    in_d = served.client.get("/documents", params={"collection": "d"}).json()  # the admin's view
    assert [(d["source"], d["ocr_pages"]) for d in in_d] == [("scan.pdf", [1, 2])]


@pytest.mark.parametrize("locale", ["pt-BR"])
def test_the_choices_speak_the_pages_language(page: Page, keys, locale):
    dialog = page.get_by_role("dialog", name="É necessária uma chave de API")
    page.get_by_label("Chave de API", exact=True).fill(keys["reader"])
    dialog.get_by_role("button", name="Usar esta chave").click()
    expect(page.get_by_label("Pesquisar em")).to_contain_text("Todas as minhas coleções")
    expect(page.get_by_text("Esta chave pode ler documentos, mas não adicioná-los.")).to_be_visible()
    expect(page.get_by_role("button", name="Trocar de chave")).to_be_visible()
