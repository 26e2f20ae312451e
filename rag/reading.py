"""Files read into text through a parser pool, a mail's attachments with it: the one reading path
of a local ingest and of a cluster's workers (rag/cluster.py), under the same parsing limits."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from .loaders import BadFile
from .parsing import OnPage, Parsed, ParserPool
from .schema import Skipped
from .sources import SourceFile

# A mail attached to a mail attached to a mail: its own attachments are read down to this depth,
# no further, since each level may carry nearly all the bytes of the one above it.
MAIL_DEPTH = 3
SAME_NAME = "another file in this ingest has the same name"


def read_files(parsers: ParserPool, files: Iterable[SourceFile], skipped: list[Skipped], *,
               progress=None, on_page: OnPage | None = None) -> Iterator[Parsed]:
    """Each file's text, parsed in the parser processes; a file that cannot be read goes to
    `skipped` (and counts as done for `progress`). `on_page` is told of each page OCR reads, a
    mail's attachments' pages too."""
    seen: set[str] = set()
    for file in files:
        if file.source in seen:
            skipped.append(Skipped(file.source, SAME_NAME))
        else:
            seen.add(file.source)
            try:
                parsed = parsers.parse(file, on_page)
            except BadFile as exc:
                skipped.append(Skipped(file.source, str(exc)))
            else:
                yield from _with_attachments(parsers, parsed, seen, skipped, 1, on_page)
                continue  # counted by the index once written
        if progress:
            progress(1)


def _with_attachments(parsers: ParserPool, parsed: Parsed, seen: set[str], skipped: list[Skipped],
                      depth: int, on_page: OnPage | None) -> Iterator[Parsed]:
    """A file, after each of its attachments when it is a mail. Each attachment is parsed in the
    parser processes like any file, as '<mail>/<name>'; one that cannot be read goes to `skipped`,
    the mail is kept. The mail comes last, with the sources of its attachments that were read."""
    if parsed.attached is None:
        yield parsed
        return
    kept = []
    for attachment in parsed.attached:
        source = f"{parsed.source}/{attachment.name}"
        reason = attachment.refused
        if reason is None and source in seen:
            reason = "another attachment of this mail has the same name"
        elif reason is None and depth >= MAIL_DEPTH:
            reason = f"an attachment of a mail attached more than {MAIL_DEPTH - 1} deep; save it and add it as a file"
        if reason is None:
            seen.add(source)
            try:
                inner = parsers.parse(SourceFile(source, None, attachment.data), on_page)
            except BadFile as exc:
                reason = str(exc)
            else:
                kept.append(source)
                yield from _with_attachments(parsers, inner, seen, skipped, depth + 1, on_page)
        if reason is not None:
            skipped.append(Skipped(source, reason))
    yield replace(parsed, attached=None, attachments=tuple(kept))
