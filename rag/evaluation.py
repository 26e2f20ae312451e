"""Scoring the engine on a question file in the format of shared/eval/seeds_dev.jsonl.

A line with `facts` is answerable: the answer must hold one string of every group (case- and
accent-insensitively), be at most 500 characters, and cite only the listed documents. A line
without `facts` must be answered "not found" with no citation. A line with `turns` is a
conversation: its turns are asked in order in one conversation, and the facts apply to the last.

`evaluate` scores a question file against the engine's own index. `evaluate_folder` scores a
folder in the layout of shared/eval/real_dev (questions.jsonl and docs/) against a temporary
index of its docs/, and adds fact recall per question -> document language pair and for a
tuning and a check half of the documents (see `evaluate_folder`).
"""

from __future__ import annotations

import json
import re
import statistics
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .analysis import fold
from .errors import InvalidInput
from .sources import discover
from .schema import Answer
from .settings import Settings

MAX_ANSWER_CHARS = 500
MODES = ("dense", "lexical", "hybrid")
LANGUAGE_PREFIX = re.compile(r"^(en|es|pt)_")
SPLIT_RULE = ("documents sorted by name, even positions (0, 2, ...) tuning, odd check; a question goes to "
              "the half of its first document; unanswerable questions, sorted by id, alternate the same way")


@dataclass
class Case:
    id: str
    language: str
    question: str | None
    docs: list[str]
    facts: list[list[str]] | None
    turns: list[dict] | None = None


@dataclass
class Outcome:
    case: Case
    answer: Answer
    correct: bool
    exact_citations: int
    citations: int
    retrieved: dict[str, bool] = field(default_factory=dict)


def load_cases(path: Path) -> list[Case]:
    cases = []
    try:
        lines = Path(path).read_text("utf-8").splitlines()
    except OSError as exc:
        raise InvalidInput(f"cannot read {path} ({exc.strerror}); give the path of a .jsonl question file.") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            cases.append(Case(str(raw["id"]), raw.get("lang", "en"), raw.get("question"), raw.get("docs", []),
                              raw.get("facts"), raw.get("turns")))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise InvalidInput(f"{path}, line {number}: not a question object ({exc}); fix or remove the line.") \
                from None
    return cases


def cites_only(answer: Answer, docs: list[str]) -> bool:
    return all(any(d in c.source for d in docs) for c in answer.citations)


def holds_facts(answer: Answer, facts: list[list[str]]) -> bool:
    text = fold(answer.answer)
    return all(any(fold(option) in text for option in group) for group in facts)


def judge(case: Case, answer: Answer) -> bool:
    if case.facts is None:
        return not answer.found and not answer.citations
    return (answer.found and len(answer.answer) <= MAX_ANSWER_CHARS and holds_facts(answer, case.facts)
            and cites_only(answer, case.docs))


def evaluate(engine, path: Path, *, top_k: int = 5) -> dict:
    """Scores the question file at `path` against the engine's index."""
    return summarize(*_score(engine, load_cases(path), top_k), top_k)


def _score(engine, cases: list[Case], top_k: int) -> tuple[list[Outcome], list[dict], list[float]]:
    outcomes: list[Outcome] = []
    skipped = []
    latencies = []
    for case in cases:
        answer = _ask(engine, case)
        if answer is None:
            skipped.append({"id": case.id, "reason": "no question and no turns"})
            continue
        latencies.append(answer.took_ms)
        exact = sum(1 for c in answer.citations if engine.index.text(c.doc_id)[c.start:c.end] == c.quote)
        outcome = Outcome(case, answer, judge(case, answer), exact, len(answer.citations))
        if case.facts is not None and case.turns is None:
            query = engine.analyzer.analyze(case.question)  # analysed and embedded once for the three modes
            for mode in MODES:
                hits = engine.retriever.retrieve(query, top_k, mode)
                outcome.retrieved[mode] = any(any(d in h.source for d in case.docs) for h in hits)
        outcomes.append(outcome)
    return outcomes, skipped, latencies


def evaluate_folder(settings: Settings, folder: Path, *, top_k: int = 5) -> dict:
    """Scores a folder holding questions.jsonl and docs/ (the layout of shared/eval/real_dev).

    docs/ is indexed into a temporary index with `settings`' model and chunking (the index in
    RAG_INDEX_DIR is untouched), and questions.jsonl is scored against it as `evaluate` does.
    The report adds:

    - `by_pair`: fact recall per question language -> document language ("es->en"), and its
      `same_language` and `cross_language` totals. A question's document language is that of
      the first document of its `docs`: the file-name prefix en_/es_/pt_ when there is one, else
      the language the index detected for the document ("?" for a document not in the index,
      counted in neither total).
    - `splits`: the same figures for a tuning half and a check half, split by document. The
      documents of docs/ are sorted by name (their path under docs/); those at even positions
      (0, 2, 4, ...) are the tuning half, those at odd positions the check half. A question goes
      to the half of the first document of its `docs`; unanswerable questions (no `facts`),
      sorted by id, alternate: even positions tuning, odd check. A question whose first
      document is not in docs/ is listed in `splits.unassigned`. Conversations (`turns`) are
      scored as a whole only, as in `evaluate`.
    - `documents`: each document of docs/ with its language and its half; `not_indexed`: the
      files the index refused, with the reason.
    """
    from .engine import Engine

    folder = Path(folder)
    questions, docs = folder / "questions.jsonl", folder / "docs"
    if not questions.is_file():
        raise InvalidInput(f"{folder} has no questions.jsonl; give a folder holding questions.jsonl and docs/ "
                           "(like shared/eval/real_dev), or a question file.")
    if not docs.is_dir():
        raise InvalidInput(f"{folder} has no docs/ folder; put the documents the questions are about in {docs}.")
    cases = load_cases(questions)
    names = sorted(f.source for f in discover([docs]))
    if not names:
        raise InvalidInput(f"{docs} holds no documents; put the documents the questions are about in it.")
    with tempfile.TemporaryDirectory(prefix="rag-eval-") as tmp:
        engine = Engine(settings.model_copy(update={"index_dir": Path(tmp) / "index"}))
        try:
            ingested = engine.ingest_paths([docs])
            detected = {d.source: d.language for d in engine.documents()}
            outcomes, skipped, latencies = _score(engine, cases, top_k)
        finally:
            engine.close()
    report = summarize(outcomes, skipped, latencies, top_k)
    language = {name: document_language(name, detected) for name in names}
    half_of = {name: ("tuning", "check")[i % 2] for i, name in enumerate(names)}
    unanswerable = sorted(o.case.id for o in outcomes if o.case.facts is None and not o.case.turns)
    half_of_case = {case_id: ("tuning", "check")[i % 2] for i, case_id in enumerate(unanswerable)}
    singles = [o for o in outcomes if not o.case.turns]
    unassigned = []
    for o in singles:
        if o.case.facts is not None:
            source = _document_of(o.case.docs[0], names) if o.case.docs else None
            half_of_case[o.case.id] = half_of.get(source)
            if source is None:
                unassigned.append(o.case.id)

    def language_of(case: Case) -> str:
        source = _document_of(case.docs[0], names) if case.docs else None
        return language[source] if source else document_language(case.docs[0] if case.docs else "", detected)

    report.update(_pairs(singles, language_of))
    report["splits"] = {"rule": SPLIT_RULE, "unassigned": unassigned}
    for half in ("tuning", "check"):
        items = [o for o in singles if half_of_case.get(o.case.id) == half]
        answerable = [o for o in items if o.case.facts is not None]
        by_lang: dict[str, list[Outcome]] = defaultdict(list)
        for o in answerable:
            by_lang[o.case.language].append(o)
        report["splits"][half] = {
            "documents": [name for name in names if half_of[name] == half],
            "questions": len(items),
            **_recall(answerable),
            "by_language": {lang: _recall(group) for lang, group in sorted(by_lang.items())},
            **_pairs(items, language_of),
            "unanswerable": len(items) - len(answerable),
            "said_not_found": sum(o.correct for o in items if o.case.facts is None),
        }
    report["documents"] = [{"source": name, "language": language[name], "split": half_of[name],
                            "indexed": name in detected} for name in names]
    report["not_indexed"] = [{"source": s.source, "reason": s.reason} for s in ingested.skipped]
    return report


def document_language(name: str, detected: dict[str, str]) -> str:
    """A document's language: its file-name prefix en_/es_/pt_, else what the index detected."""
    m = LANGUAGE_PREFIX.match(PurePosixPath(name).name)
    return m.group(1) if m else detected.get(name, "?")


def _document_of(doc: str, names: list[str]) -> str | None:
    """The document of docs/ a question's `docs` entry names: the same name, else the first whose
    name contains it (the rule `cites_only` applies to citations)."""
    if doc in names:
        return doc
    return next((name for name in names if doc and doc in name), None)


def _recall(answerable: list[Outcome]) -> dict:
    correct = sum(o.correct for o in answerable)
    return {"answerable": len(answerable), "correct": correct, "fact_recall": _rate(correct, len(answerable))}


def _pairs(outcomes: list[Outcome], language_of) -> dict:
    """Fact recall per question -> document language pair, and same- and cross-language totals."""
    by_pair: dict[str, list[Outcome]] = defaultdict(list)
    same, cross = [], []
    for o in outcomes:
        if o.case.facts is None:
            continue
        doc_language = language_of(o.case)
        by_pair[f"{o.case.language}->{doc_language}"].append(o)
        if doc_language != "?":  # a document of unknown language is in neither total
            (same if doc_language == o.case.language else cross).append(o)
    return {"by_pair": {pair: _recall(items) for pair, items in sorted(by_pair.items())},
            "same_language": _recall(same), "cross_language": _recall(cross)}


def _ask(engine, case: Case) -> Answer | None:
    """The answer to judge: a single question's, or a conversation's last turn's."""
    if case.turns:
        answer, conversation = None, None
        for turn in case.turns:
            answer = engine.ask(turn["question"], conversation_id=conversation)
            conversation = answer.conversation_id
        return answer
    return engine.ask(case.question) if case.question else None


def _rate(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


# What must never reach an answer: Markdown link, emphasis, heading and table syntax, front matter keys.
MARKUP = re.compile(r"\]\(|\*\*|__\w|^#{1,6} |^\s*\|.*\||^(?:source_url|title|layout|date|author|tags|slug):\s",
                    re.MULTILINE | re.IGNORECASE)


def summarize(outcomes: list[Outcome], skipped: list[dict], latencies: list[float], top_k: int) -> dict:
    conversations = [o for o in outcomes if o.case.turns]
    outcomes = [o for o in outcomes if not o.case.turns]
    by_lang: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_lang[o.case.language].append(o)
    answerable = [o for o in outcomes if o.case.facts is not None]
    unanswerable = [o for o in outcomes if o.case.facts is None]
    languages = {}
    for lang, items in sorted(by_lang.items()):
        facts = [o for o in items if o.case.facts is not None]
        languages[lang] = {"answerable": len(facts), "fact_recall": _rate(sum(o.correct for o in facts), len(facts)),
                           "unanswerable": len(items) - len(facts)}
    citations = sum(o.citations for o in outcomes + conversations)
    return {
        "questions": len(outcomes),
        "fact_recall": _rate(sum(o.correct for o in answerable), len(answerable)),
        "by_language": languages,
        "citation_exactness": (_rate(sum(o.exact_citations for o in outcomes + conversations), citations)
                               if citations else 1.0),
        "citations": citations,
        "answers_with_markup": sum(1 for o in outcomes + conversations
                                   if o.answer.found and MARKUP.search(o.answer.answer)),
        "median_answer_chars": (statistics.median(len(o.answer.answer) for o in answered)
                                if (answered := [o for o in outcomes if o.answer.found]) else None),
        "abstention": {
            "unanswerable": len(unanswerable),
            "said_not_found": sum(o.correct for o in unanswerable),
            "answerable_lost_to_not_found": sum(1 for o in answerable if not o.answer.found),
        },
        f"retrieval_recall_at_{top_k}": {
            mode: _rate(sum(o.retrieved.get(mode, False) for o in answerable), len(answerable)) for mode in MODES
        },
        "conversations": {"total": len(conversations), "correct": sum(o.correct for o in conversations),
                          "wrong": [o.case.id for o in conversations if not o.correct]},
        "median_ms": round(statistics.median(latencies), 2) if latencies else None,
        "skipped": skipped,
        "results": [
            {"id": o.case.id, "lang": o.case.language, "correct": o.correct, "found": o.answer.found,
             "answer": o.answer.answer, "sources": [c.source for c in o.answer.citations]}
            for o in outcomes + conversations
        ],
    }
