"""How an answer is judged against the dev set's rules, and how a question folder is scored."""

import json

import pytest

from rag import render
from rag.evaluation import Case, evaluate, evaluate_folder, judge
from rag.schema import Answer, Citation
from rag.settings import Settings


def answer(text, found=True, sources=("004_3859dbde07010b13.txt",)):
    cites = [Citation("id", s, 0, 4, "quote", 1.0) for s in sources] if found else []
    return Answer("q", text, found, "en", cites)


CASE = Case("d25", "en", "Who implements TRACK4TIP?", ["3859dbde07010b13"], [["UNODC", "United Nations Office"]])


def test_facts_are_matched_case_and_accent_insensitively():
    assert judge(CASE, answer("It is implemented by unodc [1]"))
    assert judge(Case("x", "es", "q", ["3859dbde07010b13"], [["décima"]]), answer("la DECIMA sesion [1]"))


def test_every_group_must_hold():
    case = Case("d27", "pt", "q", ["3859dbde07010b13"], [["effectiveness"], ["human rights"]])
    assert not judge(case, answer("Strengthening effectiveness [1]"))
    assert judge(case, answer("Strengthening effectiveness and human rights [1]"))


def test_citations_must_point_into_the_listed_documents():
    assert not judge(CASE, answer("UNODC [1]", sources=("000_83b66ac27a9fbe20.txt",)))


def test_answers_over_500_characters_do_not_count():
    assert not judge(CASE, answer("UNODC " + "x" * 500))


def test_unanswerable_needs_not_found_without_citations():
    case = Case("n02", "en", "What is the recipe for paella?", [], None)
    assert judge(case, answer("Not found in the documents.", found=False))
    assert not judge(case, answer("Paella is rice [1]"))


# --- a question folder (questions.jsonl and docs/, like shared/eval/real_dev) ---------------------

DOCS = {
    "en_ships.md": "# Ships\n\nThe schooner Albatross was built in 1901 in Valparaíso.\n\n"
                   "The steamer Condor was built in 1923 in Glasgow.\n",
    "en_lighthouse.txt": "The lighthouse on Gull Point was built in 1874 by the engineer Margaret Holloway.\n",
    "es_mercado.txt": "El mercado central de Lima abrió sus puertas en 1905, junto a la plaza mayor.\n",
    "es_puerto.md": "# Puerto\n\nEl puerto de Valparaíso fue fundado por Juan de Saavedra en 1536.\n",
    # No language prefix: the language the index detects for it counts.
    "notas.md": "La biblioteca municipal de Cuenca guarda los archivos del cabildo desde el siglo dieciocho.\n",
}
QUESTIONS = [
    {"id": "q1", "lang": "en", "question": "Where was the steamer Condor built?", "docs": ["en_ships.md"],
     "facts": [["Glasgow"]]},
    {"id": "q2", "lang": "en", "question": "Who built the lighthouse on Gull Point?", "docs": ["en_lighthouse.txt"],
     "facts": [["Holloway"]]},
    {"id": "q3", "lang": "es", "question": "¿En qué año abrió el mercado central de Lima?",
     "docs": ["es_mercado.txt"], "facts": [["1905"]]},
    {"id": "q4", "lang": "es", "question": "¿Dónde fue construido el steamer Condor?", "docs": ["en_ships.md"],
     "facts": [["Glasgow"]]},  # across languages
    {"id": "q5", "lang": "es", "question": "¿Quién fundó el puerto de Valparaíso?", "docs": ["es_puerto.md"],
     "facts": [["Saavedra"]]},
    {"id": "q6", "lang": "es", "question": "¿Qué guarda la biblioteca municipal de Cuenca?", "docs": ["notas.md"],
     "facts": [["archivos del cabildo"]]},
    {"id": "q7", "lang": "en", "question": "Who painted the harbour?", "docs": ["missing.md"],
     "facts": [["Turner"]]},  # a document not in docs/, of no known language
    {"id": "u1", "lang": "en", "question": "What is the recipe for paella?"},
    {"id": "u2", "lang": "es", "question": "¿Cuál es la receta del gazpacho andaluz?"},
]


def question_folder(root, questions=QUESTIONS, docs=DOCS):
    from pathlib import Path

    root = Path(root)
    (root / "docs").mkdir(parents=True)
    for name, text in docs.items():
        (root / "docs" / name).write_text(text, "utf-8")
    if questions is not None:
        (root / "questions.jsonl").write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in questions) + "\n",
                                              "utf-8")
    return root


@pytest.fixture(scope="module")
def folder_report(tmp_path_factory):
    folder = question_folder(tmp_path_factory.mktemp("real") / "set")
    return evaluate_folder(Settings(index_dir=folder / "unused-index", embedding_model="hash"), folder)


def test_a_folder_is_scored_per_language_pair(folder_report):
    report = folder_report
    assert report["questions"] == 9
    assert {pair: row["answerable"] for pair, row in report["by_pair"].items()} == \
        {"en->en": 2, "en->?": 1, "es->en": 1, "es->es": 3}
    assert report["same_language"]["answerable"] == 5 and report["cross_language"]["answerable"] == 1
    for row in [*report["by_pair"].values(), report["same_language"], report["cross_language"]]:
        assert set(row) == {"answerable", "correct", "fact_recall"}
        assert 0 <= row["correct"] <= row["answerable"]
        assert row["fact_recall"] == round(row["correct"] / row["answerable"], 4)
    assert report["by_pair"]["en->?"]["correct"] == 0  # its document is not there to cite
    # Same-language questions over a fake embedder are found by their words.
    assert report["same_language"]["correct"] == 5
    assert report["abstention"] == {"unanswerable": 2, "said_not_found": 2, "answerable_lost_to_not_found":
                                    report["abstention"]["answerable_lost_to_not_found"]}
    assert report["citation_exactness"] == 1.0
    assert report["answers_with_markup"] == 0  # the .md documents' "# Ships" headings are rendered away
    assert report["median_answer_chars"] > 0
    languages = {d["source"]: d["language"] for d in report["documents"]}
    assert languages == {"en_lighthouse.txt": "en", "en_ships.md": "en", "es_mercado.txt": "es",
                         "es_puerto.md": "es", "notas.md": "es"}  # notas.md: detected
    assert all(d["indexed"] for d in report["documents"]) and report["not_indexed"] == []


def test_a_folder_is_split_by_document_into_tuning_and_check(folder_report):
    splits = folder_report["splits"]
    assert "even positions" in splits["rule"]
    # Sorted: en_lighthouse.txt, en_ships.md, es_mercado.txt, es_puerto.md, notas.md.
    assert splits["tuning"]["documents"] == ["en_lighthouse.txt", "es_mercado.txt", "notas.md"]
    assert splits["check"]["documents"] == ["en_ships.md", "es_puerto.md"]
    assert {d["source"]: d["split"] for d in folder_report["documents"]} == {
        "en_lighthouse.txt": "tuning", "en_ships.md": "check", "es_mercado.txt": "tuning", "es_puerto.md": "check",
        "notas.md": "tuning"}
    tuning, check = splits["tuning"], splits["check"]
    # tuning: q2, q3, q6 and u1 (unanswerable ids sorted, alternating); check: q1, q4, q5 and u2.
    assert (tuning["questions"], tuning["answerable"], tuning["unanswerable"]) == (4, 3, 1)
    assert (check["questions"], check["answerable"], check["unanswerable"]) == (4, 3, 1)
    assert tuning["by_pair"].keys() == {"en->en", "es->es"}
    assert check["by_pair"].keys() == {"en->en", "es->en", "es->es"}
    assert tuning["cross_language"]["answerable"] == 0 and check["cross_language"]["answerable"] == 1
    assert {lang: row["answerable"] for lang, row in tuning["by_language"].items()} == {"en": 1, "es": 2}
    assert tuning["said_not_found"] == 1 and check["said_not_found"] == 1
    assert splits["unassigned"] == ["q7"]  # its first document is not in docs/
    assert tuning["correct"] + check["correct"] + folder_report["by_pair"]["en->?"]["correct"] == \
        sum(row["correct"] for row in folder_report["by_pair"].values())


def test_the_folder_report_reads_as_text(folder_report):
    text = render.evaluation(folder_report)
    assert "same language: 100.0% (5 of 5)" in text
    assert "  es->en: " in text and "  tuning: fact recall " in text and "  check: fact recall " in text
    assert "in neither half (first document not in docs/): q7" in text


def test_a_question_file_is_scored_as_before(make_engine, tmp_path):
    folder = question_folder(tmp_path / "set")
    engine = make_engine()
    engine.ingest_paths([folder / "docs"])
    report = evaluate(engine, folder / "questions.jsonl")
    assert set(report) == {"questions", "fact_recall", "by_language", "citation_exactness", "citations",
                           "answers_with_markup", "median_answer_chars", "abstention", "retrieval_recall_at_5",
                           "conversations", "median_ms", "skipped", "results"}


# --- the command ---------------------------------------------------------------------------------


@pytest.fixture()
def cli(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from rag.cli import main

    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("RAG_EMBEDDING_MODEL", "hash")
    return lambda *args: CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_rag_eval_scores_a_folder_without_touching_the_index(cli, tmp_path):
    folder = question_folder(tmp_path / "set")
    result = cli("eval", str(folder), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["by_pair"]["es->en"]["answerable"] == 1 and set(report["splits"]) >= {"tuning", "check"}
    assert not (tmp_path / "index").exists()  # RAG_INDEX_DIR untouched
    text = cli("eval", str(folder))
    assert text.exit_code == 0 and "splits (" in text.stdout and "fact recall" in text.stdout


@pytest.mark.parametrize("questions, docs, says", [
    (None, DOCS, "has no questions.jsonl"),
    (QUESTIONS, {}, "holds no documents"),
])
def test_rag_eval_refuses_an_incomplete_folder_in_one_line(cli, tmp_path, questions, docs, says):
    folder = question_folder(tmp_path / "set", questions=questions, docs=docs)
    result = cli("eval", str(folder))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1 and says in result.stderr
    assert "Traceback" not in result.output


def test_rag_eval_refuses_a_folder_without_docs(cli, tmp_path):
    (tmp_path / "set").mkdir()
    (tmp_path / "set" / "questions.jsonl").write_text(json.dumps(QUESTIONS[0]) + "\n", "utf-8")
    result = cli("eval", str(tmp_path / "set"))
    assert result.exit_code == 2 and "has no docs/ folder" in result.stderr and result.stderr.count("\n") == 1


@pytest.mark.parametrize("answer, markup", [
    ("See [Ley 26.364](http://x.y) [1]", True),
    ("The **Declaration** [1]", True),
    ("source_url: https://x.y [1]", True),
    ("| Chile | 12 | [1]", True),
    ("The fine is 5% of the price, per Art. 3 [1]", False),
    ("Ley 26.364 was passed in 2008. [1]", False),
])
def test_markup_in_an_answer_is_recognised(answer, markup):
    from rag.evaluation import MARKUP

    assert bool(MARKUP.search(answer)) is markup
