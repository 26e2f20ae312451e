"""GET /: the web page, and its assets under /static/. No key needed: the page holds no secrets,
and asks for the key itself when the API answers 401."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

router = APIRouter(include_in_schema=False)

STATIC = Path(__file__).resolve().parents[2] / "static"
# A fixed set of files: a request names one of them, never a path to resolve on disk.
ASSETS = {path.name: path for path in STATIC.iterdir() if path.is_file() and path.name != "index.html"}

HEADERS = {
    # Everything the page loads comes from this app: it has to work with no internet, and the
    # documents it shows are untrusted text that must never run as script.
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                               "connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # Revalidated on each load (cheaply, by ETag), so an upgraded service never runs stale script.
    "Cache-Control": "no-cache",
}


@router.get("/", response_model=None)
def page() -> FileResponse:
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8", headers=HEADERS)


@router.get("/static/{name}", response_model=None)
def asset(name: str) -> FileResponse:
    path = ASSETS.get(name)
    if path is None:
        raise HTTPException(404, f"no file /static/{name}; the page's files are {', '.join(sorted(ASSETS))}.")
    return FileResponse(path, headers=HEADERS)
