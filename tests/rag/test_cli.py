"""The `rag` command through click's runner: output shapes, exit codes, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from rag.cli import main

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture()
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("RAG_EMBEDDING_MODEL", "hash")
    return tmp_path


@pytest.fixture()
def runner():
    return CliRunner()


def run(runner, *args, input=None):
    return runner.invoke(main, list(args), input=input, catch_exceptions=False)


def ingest_seeds(runner, folder: Path):
    result = run(runner, "ingest", str(SEEDS), "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_every_command_has_help_with_an_example(runner):
    for command in ("ingest", "ask", "docs", "text", "remove", "serve", "eval", "collections", "collections remove",
                    "keys", "keys add", "keys list", "keys revoke"):
        result = run(runner, *command.split(), "-h")
        assert result.exit_code == 0
        assert "Example" in result.output, command


def test_ingest_reports_counts_and_bad_files(env, runner):
    docs = env / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "good.md").write_text("# Note\n\nThe REDTRAM network met in Lima in 2021.\n", "utf-8")
    (docs / "sub" / "deep.txt").write_text("UNODC implements TRACK4TIP in eight countries.", "utf-8")
    (docs / "latin1.txt").write_bytes("café con leche".encode("latin-1"))
    (docs / "empty.txt").write_text("", "utf-8")
    (docs / "picture.png").write_bytes(b"\x89PNG\r\n\x1a\n")  # a scan, but cut short
    (docs / "drawing.gif").write_bytes(b"GIF89a")
    result = run(runner, "ingest", str(docs), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["counts"] == {"added": 2, "replaced": 0, "unchanged": 0, "skipped": 4,
                                "chunks": report["counts"]["chunks"]}
    assert {d["source"] for d in report["added"]} == {"good.md", "sub/deep.txt"}
    reasons = {s["source"]: s["reason"] for s in report["skipped"]}
    assert "UTF-8" in reasons["latin1.txt"]
    assert "empty" in reasons["empty.txt"]
    assert "not a readable image" in reasons["picture.png"]
    assert "unsupported" in reasons["drawing.gif"]

    again = json.loads(run(runner, "ingest", str(docs), "--json").stdout)
    assert again["counts"]["unchanged"] == 2 and again["counts"]["added"] == 0


def test_ingest_text_summary_names_skipped_files(env, runner):
    docs = env / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Human trafficking case file.", "utf-8")
    (docs / "b.txt").write_bytes(b"\xff\xfe\x00bad")
    result = run(runner, "ingest", str(docs))
    assert result.exit_code == 0
    assert "added 1" in result.stdout and "skipped 1" in result.stdout
    assert "b.txt" in result.stdout


def test_ask_json_is_the_answer_object_with_exact_quotes(env, runner):
    ingest_seeds(runner, env)
    result = run(runner, "ask", "Who implements TRACK4TIP?", "--json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert set(answer) == {"question", "answer", "answer_gloss", "found", "language", "citations", "took_ms",
                           "conversation_id"}
    assert answer["found"] is True and answer["language"] == "en" and answer["answer_gloss"] is None
    for n, c in enumerate(answer["citations"], start=1):
        assert set(c) == {"doc_id", "source", "start", "end", "quote", "score", "language", "gloss", "page"}
        assert c["gloss"] is None  # an English question over an English document
        text = (SEEDS / c["source"]).read_text("utf-8")
        assert text[c["start"]:c["end"]] == c["quote"]
        assert f"[{n}]" in answer["answer"]


def test_ask_from_stdin_writes_one_object_per_line(env, runner):
    ingest_seeds(runner, env)
    questions = "What is REDTRAM?\n\nQuem implementa o programa EL PAcCTO?\nWhat is the recipe for paella?\n"
    result = run(runner, "ask", "-", "--json", input=questions)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["question"] for a in lines] == ["What is REDTRAM?", "Quem implementa o programa EL PAcCTO?",
                                              "What is the recipe for paella?"]
    assert lines[1]["language"] == "pt"
    assert lines[2]["found"] is False and lines[2]["citations"] == []
    assert lines[2]["answer"] == "Not found in the documents."


def test_not_found_is_a_success_in_the_questions_language(env, runner):
    ingest_seeds(runner, env)
    result = run(runner, "ask", "¿Cuál es la receta de la paella valenciana?", "--json")
    assert result.exit_code == 0
    answer = json.loads(result.stdout)
    assert answer == {**answer, "found": False, "language": "es", "citations": [],
                      "answer": "No se encontró en los documentos."}


def test_docs_and_remove(env, runner):
    ingest_seeds(runner, env)
    listed = json.loads(run(runner, "docs", "--json").stdout)
    assert len(listed) == 5 and all(d["chunks"] > 0 for d in listed)
    text = run(runner, "docs").stdout
    assert "004_3859dbde07010b13.txt" in text

    removed = run(runner, "remove", "004_3859dbde07010b13.txt", "--json")
    assert removed.exit_code == 0
    assert json.loads(removed.stdout)["source"] == "004_3859dbde07010b13.txt"
    by_id = listed[0]["doc_id"]
    assert run(runner, "remove", by_id).exit_code == 0
    assert len(json.loads(run(runner, "docs", "--json").stdout)) == 3


def test_errors_are_one_line_with_exit_codes(env, runner):
    missing = run(runner, "remove", "nope.txt")
    assert missing.exit_code == 1
    assert missing.stderr.count("\n") == 1 and missing.stderr.startswith("error: ")
    assert "rag docs" in missing.stderr

    empty = run(runner, "ask", "   ")
    assert empty.exit_code == 2 and "empty" in empty.stderr

    usage = run(runner, "ask")
    assert usage.exit_code == 2

    no_path = run(runner, "ingest", str(env / "does-not-exist"))
    assert no_path.exit_code == 2 and "no such file" in no_path.stderr
    assert "Traceback" not in no_path.output


def test_a_different_model_is_refused_with_what_to_do(env, runner, monkeypatch):
    ingest_seeds(runner, env)
    other = env / "other-model"
    other.mkdir()
    monkeypatch.setenv("RAG_EMBEDDING_MODEL", str(other))
    result = run(runner, "ask", "What is REDTRAM?")
    assert result.exit_code == 1
    assert "built with the embedding model 'hash'" in result.stderr
    assert "RAG_EMBEDDING_MODEL" in result.stderr


def test_eval_scores_a_question_file(env, runner):
    ingest_seeds(runner, env)
    questions = env / "q.jsonl"
    questions.write_text("\n".join(json.dumps(x) for x in [
        {"id": "a", "lang": "en", "question": "Who implements TRACK4TIP?", "docs": ["3859dbde07010b13"],
         "facts": [["UNODC"]]},
        {"id": "b", "lang": "en", "question": "What is the recipe for paella?"},
        {"id": "c", "turns": [{"question": "Who is Jorge Abbott?"}, {"question": "What did he do?"}],
         "docs": ["3859dbde07010b13"], "facts": [["AIAMP"]]},
    ]), "utf-8")
    result = run(runner, "eval", str(questions), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["questions"] == 2
    assert report["citation_exactness"] == 1.0
    assert report["abstention"]["said_not_found"] == 1
    assert report["skipped"] == []
    assert report["conversations"]["total"] == 1
    assert set(report["retrieval_recall_at_5"]) == {"dense", "lexical", "hybrid"}
    assert "fact recall" in run(runner, "eval", str(questions)).stdout


def test_eval_rejects_a_malformed_file(env, runner):
    bad = env / "bad.jsonl"
    bad.write_text("{not json\n", "utf-8")
    result = run(runner, "eval", str(bad))
    assert result.exit_code == 2 and "line 1" in result.stderr


def _ingest_process(env_dir: Path, *args: str, stderr, target: Path = SEEDS) -> "subprocess.CompletedProcess":
    import os
    import subprocess
    import sys

    environment = {**os.environ, "RAG_INDEX_DIR": str(env_dir / "index"), "RAG_EMBEDDING_MODEL": "hash"}
    return subprocess.run([sys.executable, "-m", "rag.cli", "ingest", str(target), *args], env=environment,
                          stdout=subprocess.PIPE, stderr=stderr, timeout=600)


def _on_a_terminal(env_dir: Path, target: Path = SEEDS) -> tuple["subprocess.CompletedProcess", bytes]:
    """`rag ingest target` with its stderr on a terminal; what that terminal was shown."""
    import os
    import pty

    controller, terminal = pty.openpty()
    try:
        done = _ingest_process(env_dir, stderr=terminal, target=target)
        os.close(terminal)
        shown = b""
        while True:
            try:
                data = os.read(controller, 65536)
            except OSError:  # the terminal side is closed and drained
                break
            if not data:
                break
            shown += data
    finally:
        os.close(controller)
    return done, shown


def test_progress_bar_on_a_terminal_only(env):
    done, shown = _on_a_terminal(env)
    assert done.returncode == 0
    assert b"ingest:" in shown and b"/5 [" in shown  # the bar, with the number of files

    quiet = _ingest_process(env, "--json", stderr=-1)  # a pipe: not a terminal, and --json
    assert quiet.stderr == b""
    assert json.loads(quiet.stdout)["counts"]["unchanged"] == 5


def test_a_scan_shows_each_page_ocr_reads_and_the_report_counts_them(env):
    from ocr_renders import TEXTS, pdf, render

    scans = env / "scans"
    scans.mkdir()
    (scans / "scan.pdf").write_bytes(pdf([render(TEXTS["en"]), render(TEXTS["es"], seed=1)]))
    done, shown = _on_a_terminal(env, scans)
    assert done.returncode == 0, shown
    assert b"scan.pdf: OCR page 1 of 2" in shown and b"scan.pdf: OCR page 2 of 2" in shown
    assert "  scan.pdf: 2 pages read by OCR" in done.stdout.decode().splitlines()

    (scans / "scan.pdf").write_bytes(pdf([render(TEXTS["pt"], seed=2)]))  # replaced, so read again
    quiet = _ingest_process(env, "--json", stderr=-1, target=scans)
    assert quiet.stderr == b""  # no page progress off a terminal
    assert json.loads(quiet.stdout)["replaced"][0]["ocr_pages"] == [1]


def test_ask_continues_a_conversation(env, runner):
    docs = env / "docs"
    docs.mkdir()
    (docs / "ships.md").write_text("The schooner Albatross was built in 1901 in Valparaíso.\n\n"
                                   "The steamer Condor was built in 1923 in Glasgow.\n", "utf-8")
    run(runner, "ingest", str(docs))
    first = json.loads(run(runner, "ask", "Where was the steamer Condor built?", "--json").stdout)
    text = run(runner, "ask", "When was it built?", "--conversation", first["conversation_id"])
    assert "1923" in text.stdout and f"--conversation {first['conversation_id']}" in text.stdout

    lines = run(runner, "ask", "-", "--json", "--conversation", first["conversation_id"],
                input="Who commissioned it?\nWhen was it built?\n").stdout.splitlines()
    assert {json.loads(line)["conversation_id"] for line in lines} == {first["conversation_id"]}

    gone = run(runner, "ask", "And then?", "--conversation", "f" * 32)
    assert gone.exit_code == 1 and "unknown or has expired" in gone.stderr


def test_serve_refuses_an_index_it_cannot_serve_in_one_line(env, runner):
    import sqlite3

    ingest_seeds(runner, env)
    with sqlite3.connect(env / "index" / "index.sqlite") as db:
        db.execute("UPDATE meta SET value = '1' WHERE key = 'schema'")
    result = run(runner, "serve", "--port", "8799")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: the index in") and "rag ingest" in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_question_over_the_limit_is_refused_in_its_language(env, runner):
    result = run(runner, "ask", "Quem financia a rede de procuradores da região? " * 50)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: a pergunta tem") and "limite é 2000" in result.stderr


def test_text_prints_what_a_citations_offsets_refer_to(env, runner):
    docs = env / "docs"
    docs.mkdir()
    (docs / "ley.md").write_text("---\nsource_url: https://x.y\n---\n# Ley 26.364\n\n"
                                 "La [Ley 26.364](http://infoleg.gob.ar/x) fue **sancionada** en 2008.\n", "utf-8")
    assert run(runner, "ingest", str(docs)).exit_code == 0
    answer = json.loads(run(runner, "ask", "¿Cuándo fue sancionada la Ley 26.364?", "--json").stdout)
    cited = answer["citations"][0]
    by_source = run(runner, "text", "ley.md")
    assert by_source.exit_code == 0
    text = by_source.stdout[:-1]  # echo's newline
    assert text[cited["start"]:cited["end"]] == cited["quote"]
    assert "](" not in text and "**" not in text and "source_url" not in text
    by_id = json.loads(run(runner, "text", cited["doc_id"], "--json").stdout)
    assert by_id["text"] == text and by_id["source"] == "ley.md"
    missing = run(runner, "text", "nowhere.md")
    assert missing.exit_code != 0 and "rag docs" in missing.output


def test_invalid_utf8_on_stdin_is_a_usage_error(env, runner):
    result = runner.invoke(main, ["ask", "-"], input=b"What is REDTRAM?\n\xff\xfe\n")
    assert result.exit_code == 2 and "line 2 of the standard input is not UTF-8" in result.stderr
    assert "unexpected" not in result.stderr


def test_a_path_name_too_long_is_a_usage_error(env, runner):
    result = runner.invoke(main, ["ingest", "a" * 10_000])
    assert result.exit_code == 2 and "File name too long" in result.stderr
    assert result.stderr.count("\n") == 1 and len(result.stderr) < 400


def test_an_index_dir_that_is_a_file_says_so(env, runner, monkeypatch, tmp_path):
    (tmp_path / "file").write_text("x")
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "file"))
    result = runner.invoke(main, ["docs"])
    assert result.exit_code == 2 and "is a file, not a folder" in result.stderr


@pytest.mark.parametrize(("question", "fragment"), [
    ("Who implements TRACK4TIP?", "The index has no documents yet"),
    ("¿Quién implementa TRACK4TIP?", "El índice aún no tiene documentos"),
    ("Quem implementa o TRACK4TIP?", "O índice ainda não tem documentos"),
])
def test_asking_an_empty_index_says_how_to_add_documents(env, runner, question, fragment):
    result = run(runner, "ask", question, "--json")
    answer = json.loads(result.stdout)
    assert result.exit_code == 0 and answer["found"] is False and answer["citations"] == []
    assert fragment in answer["answer"] and "rag ingest" in answer["answer"]
