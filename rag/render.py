"""Human-readable output of the CLI (the --json output is the objects' own dictionaries)."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from .i18n import message
from .schema import Answer, DocumentInfo, IngestReport

if TYPE_CHECKING:
    from .parsing import OcrProgress

MACHINE_TRANSLATION = {"en": "machine translation", "es": "traducción automática", "pt": "tradução automática"}
CONTINUE = {"en": "continue with", "es": "continúe con", "pt": "continue com"}
PAGE = {"en": "p.", "es": "pág.", "pt": "p."}


def answer(a: Answer) -> str:
    """The answer, then one line per citation; a machine translation (gloss) is printed under
    what it translates, labelled as such in the answer's language, never in its place."""
    label = message(MACHINE_TRANSLATION, a.language)
    lines = [textwrap.fill(a.answer, 100)]
    if a.answer_gloss:
        lines.append(textwrap.fill(f"{label}: “{a.answer_gloss}”", 100, initial_indent="  ",
                                   subsequent_indent="    "))
    for n, c in enumerate(a.citations, start=1):
        page = f" {message(PAGE, a.language)} {c.page}" if c.page is not None else ""
        lines.append(f"  [{n}] {c.source}{page} {c.start}-{c.end}  “{textwrap.shorten(c.quote, 90)}”")
        if c.gloss:
            lines.append(f"      {label}: “{textwrap.shorten(c.gloss, 90)}”")
    lines.append(f"  ({a.language}, {a.took_ms:.0f} ms; {message(CONTINUE, a.language)} "
                 f"--conversation {a.conversation_id})")
    return "\n".join(lines)


def documents(items: list[DocumentInfo]) -> str:
    if not items:
        return "no documents; add some with: rag ingest PATH"
    width = max(len(d.source) for d in items)
    place = max(len("COLLECTION"), *(len(d.collection) for d in items))
    rows = [f"{'COLLECTION'.ljust(place)}  {'SOURCE'.ljust(width)}  DOC_ID            FORMAT LANG CHUNKS  CHARS"]
    rows += [f"{d.collection.ljust(place)}  {d.source.ljust(width)}  {d.doc_id}  {d.format:<6} {d.language:<4} "
             f"{d.chunks:>6} {d.chars:>6}" for d in items]
    return "\n".join(rows)


def collections(items: list[tuple[str, int, int]]) -> str:
    if not items:
        return "no collections; add documents with: rag ingest PATH --collection NAME"
    width = max(len("COLLECTION"), *(len(name) for name, _, _ in items))
    return "\n".join([f"{'COLLECTION'.ljust(width)}  DOCUMENTS  CHUNKS"]
                     + [f"{name.ljust(width)}  {docs:>9}  {chunks:>6}" for name, docs, chunks in items])


def keys(items: list) -> str:
    if not items:
        return ("no keys; the service asks for none (unless RAG_API_KEY is set). "
                "Add one with: rag keys add NAME --read A")
    width = max(len("NAME"), *(len(k.name) for k in items))
    rows = [f"{'NAME'.ljust(width)}  CREATED                    SCOPES"]
    for k in items:
        scopes = "admin" if k.admin else f"read {','.join(k.read) or '-'}; write {','.join(k.write) or '-'}"
        rows.append(f"{k.name.ljust(width)}  {k.created:<25}  {scopes}")
    return "\n".join(rows)


def ingest_report(report: IngestReport) -> str:
    c = report.to_dict()["counts"]
    lines = [f"added {c['added']}, replaced {c['replaced']}, unchanged {c['unchanged']}, "
             f"skipped {c['skipped']} ({c['chunks']} chunks, {report.seconds:.1f} s)"]
    lines += [f"  {d.source}: {ocr_pages(len(d.ocr_pages))}"
              for d in report.added + report.replaced if d.ocr_pages]
    lines += [f"  skipped {s.source}: {s.reason}" for s in report.skipped]
    return "\n".join(lines)


def evaluation(report: dict) -> str:
    def pct(v):
        return "n/a" if v is None else f"{100 * v:.1f}%"

    a = report["abstention"]
    recall_key = next(k for k in report if k.startswith("retrieval_recall_at_"))
    lines = [
        f"questions scored: {report['questions']}   median latency: {report['median_ms']} ms",
        f"fact recall: {pct(report['fact_recall'])}",
    ]
    for lang, row in report["by_language"].items():
        lines.append(f"  {lang}: {pct(row['fact_recall'])} of {row['answerable']} answerable, "
                     f"{row['unanswerable']} unanswerable")

    def recall(row: dict) -> str:
        return f"{pct(row['fact_recall'])} ({row['correct']} of {row['answerable']})"

    if "by_pair" in report:  # a question folder: per language pair, and per half of the documents
        lines.append(f"same language: {recall(report['same_language'])}   "
                     f"cross language: {recall(report['cross_language'])}")
        lines += [f"  {pair}: {recall(row)}" for pair, row in report["by_pair"].items()]
        splits = report["splits"]
        lines.append(f"splits ({splits['rule']}):")
        for half in ("tuning", "check"):
            row = splits[half]
            lines.append(f"  {half}: fact recall {recall(row)}, same language {recall(row['same_language'])}, "
                         f"cross language {recall(row['cross_language'])}; {row['said_not_found']} of "
                         f"{row['unanswerable']} unanswerable said 'not found'; {len(row['documents'])} documents")
        if splits["unassigned"]:
            lines.append(f"  in neither half (first document not in docs/): {', '.join(splits['unassigned'])}")
        lines += [f"  not indexed {d['source']}: {d['reason']}" for d in report["not_indexed"]]
    lines += [
        f"citation exactness: {pct(report['citation_exactness'])} of {report['citations']} citations; "
        f"answers showing markup: {report['answers_with_markup']}; median answer: {report['median_answer_chars']} chars",
        f"abstention: {a['said_not_found']} of {a['unanswerable']} unanswerable said 'not found'; "
        f"{a['answerable_lost_to_not_found']} answerable lost to 'not found'",
        f"{recall_key.replace('_', ' ')}: " + ", ".join(f"{m} {pct(v)}" for m, v in report[recall_key].items()),
    ]
    conv = report["conversations"]
    lines.append(f"conversations: {conv['correct']} of {conv['total']} right (facts of the last turn)")
    wrong = [r for r in report["results"] if not r["correct"]]
    if wrong:
        lines.append("wrong:")
        lines += [f"  {r['id']} ({r['lang']}): {textwrap.shorten(r['answer'], 110)}" for r in wrong]
    lines += [f"skipped {s['id']}: {s['reason']}" for s in report["skipped"]]
    return "\n".join(lines)


def xquad(report: dict) -> str:
    """One row per split: the figures of `rag eval --xquad`."""
    columns = [("recall_at_1", "R@1"), ("recall_at_5", "R@5"), ("dense_recall_at_1", "dense R@1"),
               ("lexical_recall_at_1", "lexical R@1"), ("answer_cites_gold", "cites gold"),
               ("answer_containment", "contains"), ("gloss_containment", "gloss"), ("naive_containment", "naive"),
               ("best_sentence_containment", "best sentence"),
               ("answer_in_top_k", "in top k"), ("answer_in_gold_paragraph", "in gold"),
               ("not_found_rate", "not found"), ("median_ms", "median ms")]
    lines = [f"questions {report['questions']} over the paragraphs of {report['corpus']} ({report['paragraphs']})",
             f"{'split':<16}{'n':>5}" + "".join(f"{label:>13}" for _, label in columns)]
    for name in ("held_out_24_47", "tuning_0_23"):
        row = report[name]
        lines.append(f"{name:<16}{row['questions']:>5}" + "".join(f"{row.get(key, 0):>13}" for key, _ in columns))
    return "\n".join(lines)


def ocr_pages(n: int) -> str:
    return f"{n} page{'' if n == 1 else 's'} read by OCR"


def ocr_progress(event: OcrProgress) -> str:
    return f"{event.source}: OCR page {event.page} of {event.pages}"


class _Bar:
    def __init__(self, enabled: bool, unit: str, desc: str) -> None:
        self.enabled = enabled
        self.unit = unit
        self.desc = desc
        self._bar = None

    def start(self, total: int) -> None:
        if self.enabled:
            import os
            import sys

            from tqdm import tqdm

            # A terminal that reports no size (some multiplexers, fresh ptys) would hide the bar.
            size = os.get_terminal_size(sys.stderr.fileno())
            self._bar = tqdm(total=total, unit=self.unit, desc=self.desc, leave=False, file=sys.stderr,
                             ncols=size.columns or 80, nrows=size.lines or 24)

    def update(self, n: int) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str("", refresh=False)  # a file done: its OCR pages are no news
            self._bar.update(n)

    def page(self, event: OcrProgress) -> None:
        """The page OCR is reading, beside the bar: a long scan would otherwise look stuck."""
        if self._bar is not None:
            self._bar.set_postfix_str(ocr_progress(event))

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def progress_bar(*, enabled: bool, unit: str = "file", desc: str = "ingest") -> _Bar:
    return _Bar(enabled, unit, desc)


def feedback(rows: list) -> str:
    """Feedback rows (rag.feedback.Feedback), one per line."""
    if not rows:
        return "no feedback yet; it is given with the buttons under the Slack bot's answers"
    lines = [f"{'TIME':<20}  {'VERDICT':<11}  {'USER':<11}  {'CHANNEL':<11}  {'QUESTION ID':<32}  QUESTION"]
    lines += [f"{r.time:<20}  {r.verdict:<11}  {r.user:<11}  {r.channel or '-':<11}  {r.question_id:<32}  "
              f"{textwrap.shorten(r.question, 80)}" for r in rows]
    return "\n".join(lines)
