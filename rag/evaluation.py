"""Scoring the engine on a question file in the format of shared/eval/seeds_dev.jsonl.

A line with `facts` is answerable: the answer must hold one string of every group (case- and
accent-insensitively), be at most 500 characters, and cite only the listed documents. A line
without `facts` must be answered "not found" with no citation. A line with `turns` is a
conversation: its turns are asked in order in one conversation, and the facts apply to the last.
"""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .analysis import fold
from .errors import InvalidInput
from .schema import Answer

MAX_ANSWER_CHARS = 500
MODES = ("dense", "lexical", "hybrid")


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
    cases = load_cases(path)
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
    return summarize(outcomes, skipped, latencies, top_k)


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
        "citation_exactness": _rate(sum(o.exact_citations for o in outcomes + conversations), citations) if citations else 1.0,
        "citations": citations,
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
