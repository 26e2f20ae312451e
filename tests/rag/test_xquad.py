"""`rag eval --xquad` on small XQuAD-format files made here (the real files take minutes)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from rag.cli import main
from rag.xquad import contains, load_corpus, load_questions

ARTICLES = [
    ("Lighthouses", [
        ("The Gull Point lighthouse was built in 1874 by the engineer Margaret Holloway. Its lamp burned whale oil.",
         [("Who built the Gull Point lighthouse?", "Margaret Holloway"), ("What did its lamp burn?", "whale oil")]),
        ("The keeper's cottage became a museum of shipwrecks in 1962. It opens every summer.",
         [("When did the cottage become a museum?", "1962")]),
    ]),
    ("Rivers", [
        ("The Rio Limpo project collects plastic waste from the banks of the Belém river in Curitiba.",
         [("What does the Rio Limpo project collect?", "plastic waste")]),
    ]),
]


def write(path, articles):
    data = [{"title": title, "paragraphs": [
        {"context": context, "qas": [{"id": f"{title}{i}{j}", "question": q, "answers": [
            {"text": a, "answer_start": context.find(a)}]} for j, (q, a) in enumerate(qas)]}
        for i, (context, qas) in enumerate(paragraphs)]} for title, paragraphs in articles]
    path.write_text(json.dumps({"version": "1.0", "data": data}), "utf-8")
    return path


@pytest.fixture()
def files(tmp_path, monkeypatch):
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "untouched"))
    monkeypatch.setenv("RAG_EMBEDDING_MODEL", "hash")
    return write(tmp_path / "q.json", ARTICLES), write(tmp_path / "c.json", ARTICLES)


def test_parallel_files_give_each_question_its_gold_paragraph(files):
    questions, corpus = files
    paragraphs = load_corpus(corpus)
    assert len(paragraphs) == 3
    gold = {q.question: paragraphs[q.paragraph] for q in load_questions(questions)}
    assert "1962" in gold["When did the cottage become a museum?"]


def test_containment_is_case_and_accent_insensitive_and_bounded():
    assert contains("It was built by MARGARET HOLLOWAY [1]", ("Margaret Holloway",))
    assert contains("el rio Belem [1]", ("río Belém",))
    assert not contains("x" * 501 + "Margaret Holloway", ("Margaret Holloway",))


def test_eval_xquad_reports_both_splits(files, tmp_path):
    questions, corpus = files
    result = CliRunner().invoke(main, ["eval", "--xquad", str(questions), "--corpus", str(corpus), "--json"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    tuning = report["tuning_0_23"]  # all three articles here are below 24
    assert tuning["questions"] == 4 and report["held_out_24_47"] == {"questions": 0}
    assert tuning["recall_at_1"] == 1.0 and tuning["recall_at_5"] == 1.0
    assert tuning["answer_containment"] >= 0.75
    assert set(tuning) >= {"dense_recall_at_1", "lexical_recall_at_1", "naive_containment", "not_found_rate",
                           "median_ms"}
    assert tuning["answer_in_gold_paragraph"] == 1.0
    assert tuning["answer_in_top_k"] >= tuning["answer_containment"] >= tuning["best_sentence_containment"] > 0
    assert not (tmp_path / "untouched").exists()  # a temporary index, not the user's

    text = CliRunner().invoke(main, ["eval", "--xquad", str(questions), "--corpus", str(corpus)]).stdout
    assert "held_out_24_47" in text and "tuning_0_23" in text


def test_eval_xquad_needs_both_files_and_parallel_ones(files, tmp_path):
    questions, corpus = files
    alone = CliRunner().invoke(main, ["eval", "--xquad", str(questions)])
    assert alone.exit_code == 2 and "--corpus" in alone.output
    other = write(tmp_path / "other.json", ARTICLES[:1])
    mismatch = CliRunner().invoke(main, ["eval", "--xquad", str(questions), "--corpus", str(other)])
    assert mismatch.exit_code == 2 and "not parallel" in mismatch.stderr
    broken = tmp_path / "broken.json"
    broken.write_text("{", "utf-8")
    bad = CliRunner().invoke(main, ["eval", "--xquad", str(broken), "--corpus", str(corpus)])
    assert bad.exit_code == 2 and "not an XQuAD" in bad.stderr


def test_eval_xquad_bounds_what_a_quoted_answer_can_contain(files, tmp_path):
    """Gold answers in the question's language that the passage words otherwise cannot be quoted."""
    _, corpus = files
    translated = [(title, [(context, [(q, {"whale oil": "aceite de ballena"}.get(a, a)) for q, a in qas])
                           for context, qas in paragraphs]) for title, paragraphs in ARTICLES]
    questions = write(tmp_path / "translated.json", translated)
    result = CliRunner().invoke(main, ["eval", "--xquad", str(questions), "--corpus", str(corpus), "--json"],
                                catch_exceptions=False)
    tuning = json.loads(result.stdout)["tuning_0_23"]
    assert tuning["answer_in_gold_paragraph"] == 0.75
    assert tuning["answer_containment"] <= tuning["answer_in_top_k"] <= 0.75
