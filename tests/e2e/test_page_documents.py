"""Managing documents on the page: upload with progress and refusals, delete after a confirmation."""

from __future__ import annotations

import pytest
from actions import ask, open_citation, progress_seen, watch_upload_progress
from playwright.sync_api import Page, expect

from live_service import upload

pytestmark = pytest.mark.e2e

# Characters outside the Basic Multilingual Plane before the answer: one code point each for the
# service, two UTF-16 units each for the browser.
HARBOUR = ("# Harbour notes 🚢🌊\n\n⚓ Log of the northern coast 🐚🐚🐚.\n\n"
           "The old lighthouse on Gull Point was built in 1874 by the engineer Margaret Holloway. "
           "Its lamp could be seen from twenty nautical miles away.\n")


def files(**contents: bytes) -> list[dict]:
    return [{"name": name, "mimeType": "application/octet-stream", "buffer": data} for name, data in contents.items()]


def test_upload_reports_what_was_added_and_why_files_were_refused(page: Page):
    watch_upload_progress(page)
    page.get_by_label("Add documents").set_input_files(files(**{
        "field-notes.md": b"# Field notes\n\nThe ferry to Isla Verde leaves at dawn on Tuesdays.\n",
        "setup.exe": b"MZ\x90\x00" + bytes(range(256)) * 4,
        "empty.txt": b"",
    }))
    page.get_by_role("button", name="Upload").click()

    report = page.locator("#upload-report")
    expect(report).to_contain_text("Added (1)")
    expect(report).to_contain_text("Refused (2)")
    refused = report.locator(".refused li")
    expect(refused.filter(has_text="setup.exe")).to_contain_text("unsupported type '.exe'")
    expect(refused.filter(has_text="empty.txt")).to_contain_text("empty file")
    expect(page.locator("#documents .source", has_text="field-notes.md")).to_be_visible()
    expect(page.locator("#library-title")).to_have_text("Documents (6)")
    expect(page.locator("#upload-progress")).to_be_hidden()
    assert "Reading the files…" in progress_seen(page)


def test_the_upload_form_waits_for_the_collections_it_may_write_into(page: Page):
    held = []
    page.route("**/collections", lambda route: held.append(route))  # held back until the test lets it go
    page.reload()
    while not held:
        page.wait_for_timeout(50)
    page.get_by_label("Add documents").set_input_files(files(**{"early.md": b"# Early\n\nSent too soon.\n"}))
    button = page.get_by_role("button", name="Upload")
    expect(button).to_be_disabled()
    expect(page.get_by_label("Add documents")).to_be_disabled()

    held[0].continue_()
    page.unroute("**/collections")
    expect(button).to_be_enabled()
    button.click()
    expect(page.locator("#upload-report")).to_contain_text("Added (1)")


def test_an_upload_with_no_good_file_shows_the_detail_and_reasons(page: Page):
    page.get_by_label("Add documents").set_input_files(files(**{"notes.txt": b""}))
    page.get_by_role("button", name="Upload").click()
    report = page.locator("#upload-report")
    expect(report.locator("p.error")).to_contain_text("no file was indexed")
    expect(report.locator(".refused li")).to_contain_text("notes.txt: empty file")


def test_delete_asks_for_confirmation_first(page: Page, served):
    assert upload(served.client, {"to-delete.md": "# Scratch\n\nA note written to be deleted.\n"}).status_code == 200
    page.reload()
    row = page.locator("#documents li", has_text="to-delete.md")

    row.get_by_role("button", name="Delete to-delete.md").click()
    expect(row).to_contain_text("Delete from the index?")
    expect(row.get_by_role("button", name="Cancel")).to_be_focused()
    row.get_by_role("button", name="Cancel").click()
    expect(row.get_by_role("button", name="Delete to-delete.md")).to_be_focused()
    assert "to-delete.md" in sources(served)

    row.get_by_role("button", name="Delete to-delete.md").click()
    row.get_by_role("button", name="Confirm: delete to-delete.md").click()
    expect(page.locator("#documents-status")).to_have_text("Deleted to-delete.md.")
    expect(row).to_have_count(0)
    assert "to-delete.md" not in sources(served)


def test_highlight_counts_offsets_in_code_points(page: Page, served):
    assert upload(served.client, {"harbour.md": HARBOUR}).status_code == 200
    _, answer = ask(page, "Who built the lighthouse on Gull Point?")
    assert answer["found"] is True and answer["citations"][0]["source"] == "harbour.md"
    mark = open_citation(page, 1)
    assert mark.text_content() == answer["citations"][0]["quote"]


def sources(served) -> list[str]:
    return [d["source"] for d in served.client.get("/documents").json()]
