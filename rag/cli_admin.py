"""`rag collections` and `rag keys`: the administrator's commands, over the files beside the index."""

from __future__ import annotations

from pathlib import Path

import click

from . import render
from .access import collection_list
from .cli_common import collection_name, emit, json_option, open_engine
from .errors import InvalidInput
from .keys import KeyStore
from .settings import Settings


@click.group(invoke_without_command=True)
@json_option
@click.pass_context
def collections(ctx: click.Context, as_json: bool) -> None:
    """List the collections with their documents and chunks; 'move' and 'remove' act on one.

    \b
    Examples:
      rag collections
      rag collections move migracion migration --yes
      rag collections remove trafficking --yes
    """
    if ctx.invoked_subcommand is None:
        engine = open_engine()
        try:
            rows = engine.index.store.collections()
        finally:
            engine.close()
        emit([{"name": n, "documents": d, "chunks": c} for n, d, c in rows], as_json, render.collections(rows))


@collections.command(name="remove")
@click.argument("name", callback=collection_name)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@json_option
def remove_collection(name: str, yes: bool, as_json: bool) -> None:
    """Remove a collection: every document in it, after a confirmation.

    \b
    Example:
      rag collections remove trafficking --yes
    """
    engine = open_engine()
    try:
        held = engine.documents([name])
        if held and not yes:
            click.confirm(f"Remove collection '{name}' and its {len(held)} documents?", abort=True, err=True)
        removed = engine.index.remove_collection(name)
    finally:
        engine.close()
    emit({"name": name, "removed": [d.to_dict() for d in removed]}, as_json,
          f"removed collection {name} ({len(removed)} documents)")


@collections.command(name="move")
@click.argument("name", callback=collection_name)
@click.argument("target", callback=collection_name)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@json_option
def move_collection(name: str, target: str, yes: bool, as_json: bool) -> None:
    """Move every document of collection NAME into TARGET (a new name renames it), after a
    confirmation. Keys keep the scopes they were given: give TARGET to those who should read it.

    \b
    Example:
      rag collections move migracion migration --yes
    """
    engine = open_engine()
    try:
        held = engine.documents([name])
        if held and not yes:
            click.confirm(f"Move collection '{name}' and its {len(held)} documents into '{target}'?",
                          abort=True, err=True)
        moved = engine.index.move_collection(name, target)
    finally:
        engine.close()
    # Scopes are not widened behind the administrator's back: a key of the old name reads nothing
    # there now, and one of the target reads the moved documents only if it already read the target.
    store = _store()
    try:
        stale = sorted(k.name for k in store.keys() if not k.admin and name in (*k.read, *k.write))
    finally:
        store.close()
    note = f"; keys still naming '{name}': {', '.join(stale)}" if stale else ""
    emit({"name": name, "target": target, "moved": [d.to_dict() for d in moved], "keys_naming_old": stale},
         as_json, f"moved collection {name} into {target} ({len(held)} documents){note}")


def _store() -> KeyStore:
    return KeyStore(Path(Settings().index_dir))


@click.group()
def keys() -> None:
    """Make, list and revoke API keys with scopes (kept as hashes in keys.sqlite beside the index).

    Once a key exists, the service asks every request for a key. RAG_API_KEY, when set, is one
    more key, an admin one.

    \b
    Examples:
      rag keys add migration --read migration,default --write migration
      rag keys add ops --admin
      rag keys list
      rag keys revoke migration
    """


@keys.command(name="add")
@click.argument("name")
@click.option("--read", "read", default="", metavar="A,B", help="Collections the key may ask, list and read in.")
@click.option("--write", "write", default="", metavar="A,B",
              help="Collections the key may upload into and remove from.")
@click.option("--admin", is_flag=True, help="Everything, every collection included (and /metrics).")
@json_option
def add_key(name: str, read: str, write: str, admin: bool, as_json: bool) -> None:
    """Make a key and print it once: only its hash is kept.

    \b
    Example:
      rag keys add trafficking-unit --read trafficking,default --write trafficking
    """
    try:
        readable = collection_list(read)
    except InvalidInput as exc:
        raise click.BadParameter(exc.message, param_hint="--read") from None
    try:
        writable = collection_list(write)
    except InvalidInput as exc:
        raise click.BadParameter(exc.message, param_hint="--write") from None
    store = _store()
    try:
        key = store.add(name, read=readable, write=writable, admin=admin)
    finally:
        store.close()
    data = {"name": name, "key": key, "read": sorted(readable), "write": sorted(writable), "admin": admin}
    emit(data, as_json, f"key '{name}' made; it is shown this once, so keep it now:\n{key}")


@keys.command(name="list")
@json_option
def list_keys(as_json: bool) -> None:
    """List the keys: names, scopes and when they were made (never the keys themselves).

    \b
    Example:
      rag keys list --json
    """
    store = _store()
    try:
        rows = store.keys()
    finally:
        store.close()
    emit([k.to_dict() for k in rows], as_json, render.keys(rows))


@keys.command(name="revoke")
@click.argument("name")
@json_option
def revoke_key(name: str, as_json: bool) -> None:
    """Revoke a key: it stops working at once, in a running service too.

    \b
    Example:
      rag keys revoke trafficking-unit
    """
    store = _store()
    try:
        info = store.revoke(name)
    finally:
        store.close()
    emit(info.to_dict(), as_json, f"revoked key {name}")
