"""The `rag` command: thin subcommands over the engine; errors become one line and an exit code."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from . import render
from .access import DEFAULT_COLLECTION
from .cli_admin import collections, keys
from .cli_common import collection_option, document_named, emit, json_option, named_collections, open_engine
from .errors import InvalidInput, RagError
from .settings import Settings

EXIT_RUNTIME, EXIT_USAGE = 1, 2



class Rag(click.Group):
    """Turns every domain error into one line on stderr and its exit code, in one place."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except RagError as exc:
            click.echo(f"error: {exc.message}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except OSError as exc:  # a path the system refused: too long, a file where a folder must be, no permission
            click.echo(f"error: {_short(exc.filename)}: {exc.strerror or exc}; check the path (and RAG_INDEX_DIR) "
                       "and its permissions, then try again.", err=True)
            ctx.exit(EXIT_RUNTIME)
        except KeyboardInterrupt:
            click.echo("interrupted; the index keeps its last complete state.", err=True)
            ctx.exit(130)
        except Exception as exc:  # noqa: BLE001 — a user sees one line, never a traceback
            click.echo(f"error: unexpected {exc.__class__.__name__}: {exc}; please report it with the command "
                       "you ran.", err=True)
            ctx.exit(EXIT_RUNTIME)


def _short(path, limit: int = 120) -> str:
    """A path fit for one line: a 10,000-character name is cut in the middle."""
    text = str(path) if path is not None else "a file"
    return text if len(text) <= limit else f"{text[:limit // 2]}…{text[-limit // 2:]}"


def _lines(stream) -> Iterator[str]:
    """Lines of a byte stream as text; a line that is not UTF-8 is a usage error that says which."""
    for number, raw in enumerate(stream, start=1):
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput(f"line {number} of the standard input is not UTF-8 text; convert it (for example "
                               "with `iconv -f LATIN1 -t UTF-8`) and try again.") from None


@click.group(cls=Rag, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Cited answers over your documents, offline.

    \b
    Example:
      rag ingest seeds/
      rag ask "Which countries are in TRACK4TIP?"
    """


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--follow-links", is_flag=True,
              help="Read links in a folder that lead out of it (by default they are skipped and reported).")
@collection_option("The collection the documents go to (default: 'default'). A file replaces the document "
                   "of its source in this collection only.", default=DEFAULT_COLLECTION, show_default=True)
@click.option("--cluster", metavar="tcp://HOST:8786", default=None,
              help="Parse, chunk and embed on the workers of this Dask scheduler; this process writes the index.")
@json_option
def ingest(paths: tuple[Path, ...], follow_links: bool, collection: str, cluster: str | None, as_json: bool) -> None:
    """Index files or folders (recursively) into a collection; default: the seeds folder.

    Unchanged documents are skipped, changed ones replaced, bad files reported and skipped: a
    file over a parsing limit (RAG_MAX_EXTRACTED_BYTES, RAG_MAX_PDF_PAGES, RAG_PARSE_*), a link
    out of the folder, a file name with control characters. On a terminal, a progress bar says
    which page of a scan OCR is reading ("scan.pdf: OCR page 3 of 12"); the report says how many
    pages of each file OCR read.

    \b
    Examples:
      rag ingest case-files/ notes.md
      rag ingest trafficking-unit/ --collection trafficking
      rag ingest case-files/ --cluster tcp://10.0.0.5:8786
    """
    settings = Settings()
    engine = open_engine(settings)
    targets = list(paths) or [settings.default_ingest_path]
    bar = render.progress_bar(enabled=not as_json and sys.stderr.isatty())
    try:
        report = engine.ingest_paths(targets, collection=collection, follow_links=follow_links,
                                     progress=bar.update, on_total=bar.start, on_page=bar.page, cluster=cluster)
    finally:
        bar.close()
        engine.close()
    emit(report.to_dict(), as_json, render.ingest_report(report))


@main.command()
@click.argument("question")
@click.option("--top-k", type=click.IntRange(1, 50), default=None, help="Passages to draw the answer from.")
@click.option("--conversation", "conversation_id", metavar="ID", default=None,
              help="Continue this conversation (the id an earlier answer gave): follow-ups are understood "
                   "through its earlier turns.")
@collection_option("Search only this collection; repeat for several (default: every collection).", multiple=True)
@json_option
def ask(question: str, top_k: int | None, conversation_id: str | None, collection: tuple[str, ...],
        as_json: bool) -> None:
    """Answer a question with citations. QUESTION '-' reads one question per line from stdin.

    Each answer starts a conversation, unless --conversation continues one; with '-' and
    --conversation, every line is a turn of that conversation.

    \b
    Examples:
      rag ask "Who is Gaby Coca?"
      rag ask "What did she announce?" --conversation 3f2a...
      rag ask "Who was arrested in Lima?" --collection trafficking --collection default
      printf 'What is REDTRAM?\\nQuem implementa o programa EL PAcCTO?\\n' | rag ask - --json
    """
    engine = open_engine()
    searched = named_collections(engine, collection)
    questions = (line.strip() for line in _lines(sys.stdin.buffer)) if question == "-" else iter([question])
    for q in questions:
        if question == "-" and not q:
            continue
        answer = engine.ask(q, top_k=top_k, conversation_id=conversation_id, collections=searched)
        emit(answer.to_dict(), as_json, render.answer(answer))


@main.command()
@collection_option("Only this collection's documents.")
@json_option
def docs(collection: str | None, as_json: bool) -> None:
    """List the indexed documents, with their collections.

    \b
    Examples:
      rag docs --json
      rag docs --collection trafficking
    """
    engine = open_engine()
    documents = engine.documents(named_collections(engine, (collection,) if collection else ()))
    emit([d.to_dict() for d in documents], as_json, render.documents(documents))


@main.command()
@click.argument("source_or_id", metavar="SOURCE_OR_ID")
@collection_option("Look in this collection only: a document of another is not found.")
@json_option
def text(source_or_id: str, collection: str | None, as_json: bool) -> None:
    """Print a document's text: the text a citation's start and end offsets refer to.

    \b
    Example:
      rag text es_cl_ley_20507.md
      rag text 3859dbde07010b13 --json
    """
    engine = open_engine()
    info = document_named(engine, source_or_id, collection)
    content = engine.index.text(info.doc_id)
    emit({**info.to_dict(), "text": content}, as_json, content)


@main.command()
@click.argument("source")
@collection_option("Look in this collection only: a document of another is not found.")
@json_option
def remove(source: str, collection: str | None, as_json: bool) -> None:
    """Remove a document by its source (its path as ingested) or its doc_id.

    \b
    Examples:
      rag remove 004_3859dbde07010b13.txt
      rag remove notes.md --collection trafficking
    """
    engine = open_engine()
    info = engine.remove(doc_id=document_named(engine, source, collection).doc_id)
    emit(info.to_dict(), as_json, f"removed {info.source} ({info.doc_id}, {info.chunks} chunks)")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@json_option
def serve(host: str, port: int, as_json: bool) -> None:
    """Start the HTTP API (and the web page) over the index.

    With RAG_SLACK_BOT_TOKEN and RAG_SLACK_SIGNING_SECRET set, the Slack bot listens at
    POST /slack/events; with RAG_SLACK_APP_TOKEN, it connects over Socket Mode too.

    \b
    Example:
      rag serve --host 127.0.0.1 --port 8000
    """
    import uvicorn

    from service import server
    from service.app import create_app

    settings = Settings()
    # Opened once here, without the model, so that an index that cannot be served (another
    # model's, an older format's, a busy one) is one line on stderr, not a start-up traceback.
    open_engine(settings).close()
    app = create_app(settings)
    if settings.slack_app_token:  # the Slack bot over Socket Mode too, once the engine is open
        app.state.slack.start_socket_mode()
    if as_json:
        click.echo(json.dumps({"serving": f"http://{host}:{port}"}))
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False, **server.options(settings))


@main.command(name="eval")
@click.argument("file", metavar="[FILE|FOLDER]", type=click.Path(path_type=Path), required=False)
@click.option("--top-k", type=click.IntRange(1, 50), default=5, show_default=True,
              help="k of the retrieval recall@k figures.")
@click.option("--xquad", "xquad_questions", type=click.Path(path_type=Path), default=None,
              help="XQuAD questions file (xquad.<lang>.json): score retrieval and answers on XQuAD.")
@click.option("--corpus", type=click.Path(path_type=Path), default=None,
              help="With --xquad: the XQuAD file whose paragraphs are the documents (any language).")
@json_option
def eval_(file: Path | None, top_k: int, xquad_questions: Path | None, corpus: Path | None, as_json: bool) -> None:
    """Score the engine on a question file, a question folder, or XQuAD.

    FILE (format of shared/eval/seeds_dev.jsonl): fact recall, citation exactness, abstention,
    conversations, and retrieval recall@k of the dense, lexical and hybrid retrievers, per language.

    FOLDER (questions.jsonl and docs/, like shared/eval/real_dev): indexes docs/ into a temporary
    index and scores the questions against it; besides FILE's figures, fact recall per question ->
    document language pair (same- and cross-language totals), and for a tuning and a check half
    split by document (sorted names: even positions tuning, odd check). Uses
    RAG_EMBEDDING_MODEL; the index in RAG_INDEX_DIR is untouched.

    --xquad Q --corpus P: indexes P's 240 paragraphs into a temporary index (one document each)
    and reports, for the held-out articles 24-47 and the tuning articles 0-23: recall@1 and @5
    of the gold paragraph (fused, dense alone, lexical alone), answer containment against the
    naive choice (the top passage's sentence most similar to the question) and that of the
    answer's best sentence alone, the share of questions whose gold answer occurs in the top-k
    passages and in the gold paragraph (the most a quoted answer can contain), the "not found"
    rate and the median latency. Uses RAG_EMBEDDING_MODEL; the index in RAG_INDEX_DIR is untouched.

    \b
    Examples:
      rag eval ../shared/eval/seeds_dev.jsonl
      rag eval ../shared/eval/real_dev
      rag eval --xquad ../shared/eval/xquad/xquad.es.json --corpus ../shared/eval/xquad/xquad.en.json
    """
    if xquad_questions or corpus:
        if not (xquad_questions and corpus) or file:
            raise click.UsageError("give --xquad QUESTIONS and --corpus PARAGRAPHS together, without FILE.")
        from .xquad import evaluate_xquad

        bar = render.progress_bar(enabled=not as_json and sys.stderr.isatty(), unit="question",
                                  desc="xquad")
        try:
            report = evaluate_xquad(Settings(), xquad_questions, corpus, progress=bar.update, on_total=bar.start)
        finally:
            bar.close()
        emit(report, as_json, render.xquad(report))
        return
    if file is None:
        raise click.UsageError("give a question FILE or FOLDER, or --xquad QUESTIONS --corpus PARAGRAPHS.")
    from .evaluation import evaluate, evaluate_folder

    if file.is_dir():
        report = evaluate_folder(Settings(), file, top_k=top_k)
    else:
        report = evaluate(open_engine(), file, top_k=top_k)
    emit(report, as_json, render.evaluation(report))


@main.command()
@json_option
def feedback(as_json: bool) -> None:
    """List the feedback given on answers in Slack (helpful / not helpful), oldest first.

    \b
    Example:
      rag feedback --json
    """
    from .feedback import FILE_NAME, FeedbackStore

    path = Path(Settings().index_dir) / FILE_NAME
    rows = []
    if path.exists():  # listing never creates the file
        store = FeedbackStore(path)
        try:
            rows = store.feedback()
        finally:
            store.close()
    emit([r.to_dict() for r in rows], as_json, render.feedback(rows))


main.add_command(collections)
main.add_command(keys)

if __name__ == "__main__":  # pragma: no cover
    main()
