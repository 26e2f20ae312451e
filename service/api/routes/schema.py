"""GET /openapi.json when RAG_API_KEY is set: the schema, behind the key like the routes it
describes. Without a key FastAPI serves it itself, with the /docs page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(include_in_schema=False)


@router.get("/openapi.json", response_model=None)
async def openapi(request: Request) -> JSONResponse:
    return JSONResponse(request.app.openapi())
