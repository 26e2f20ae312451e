"""What the `rag` commands share: their options, the engine they open, how they print."""

from __future__ import annotations

import json

import click

from .access import Access, check_collection
from .errors import InvalidInput
from .settings import Settings

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts instead of text.")


def collection_name(ctx, param, value):
    """Checks --collection's names as click parses them: a bad name is a usage error (exit 2)."""
    for name in value if isinstance(value, tuple) else (value,):
        try:
            if name is not None:
                check_collection(name)
        except InvalidInput as exc:
            raise click.BadParameter(exc.message) from None
    return value


def collection_option(help: str, **kwargs):
    return click.option("--collection", metavar="NAME", callback=collection_name, help=help, **kwargs)


def open_engine(settings: Settings | None = None):
    from .engine import Engine

    return Engine(settings or Settings())


def emit(data, as_json: bool, text: str) -> None:
    click.echo(json.dumps(data, ensure_ascii=False) if as_json else text)


def named_collections(engine, collections: tuple[str, ...]) -> frozenset[str] | None:
    """The collections named by --collection (None: all), each of which must hold documents."""
    return Access.everything(None).searched(collections or None, engine.index.store.collection_names)


def document_named(engine, source_or_id: str, collection: str | None):
    """The document with this source (its path as ingested) or, failing that, this doc_id; within
    one collection when one is named (a document of another is not found)."""
    scope = None if collection is None else [collection]
    found = [d for d in engine.documents(scope) if d.source == source_or_id]
    if len(found) > 1:
        raise InvalidInput(f"'{source_or_id}' is a source in collections {', '.join(d.collection for d in found)}; "
                           "name one with --collection, or give the doc_id.")
    return found[0] if found else engine.index.document(source_or_id, scope)
