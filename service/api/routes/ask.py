"""POST /ask: a question in, an extractive answer out, every sentence cited by offsets."""

from __future__ import annotations

import logging
import time

from fastapi import APIRouter, Request

from ...audit import note_documents
from ..deps import AccessDep, EngineDep, MetricsDep, SettingsDep
from ..errors import remember_question
from ..schemas import AnswerOut, AskRequest, error_responses

router = APIRouter(tags=["questions"])
log = logging.getLogger("service.ask")


# A plain `def`: FastAPI runs it in a worker thread, so embedding a question never stalls the
# event loop, and questions keep being answered while an upload is indexed in another thread.
@router.post("/ask", response_model=AnswerOut, responses=error_responses(400, 404, 413, 422))
def ask(body: AskRequest, request: Request, engine: EngineDep, settings: SettingsDep,
        metrics: MetricsDep, access: AccessDep) -> dict:
    """Answers from the documents of the collections the key may read (or those of them named in
    `collections`); `citations[n-1]` backs the sentence marked [n]. A conversation is continued
    only by the key that started it."""
    remember_question(request, body.question)
    started = time.perf_counter()
    answer = engine.ask(body.question, top_k=body.top_k, conversation_id=body.conversation_id,
                        collections=access.searched(body.collections, engine.index.store.collection_names),
                        owner=access.name or "")
    seconds = time.perf_counter() - started
    note_documents(request.state, dict.fromkeys(c.doc_id for c in answer.citations))
    metrics.observe_answer(seconds, answer.found)
    if settings.log_questions:
        log.info("answered in %.0f ms, found=%s: %r", seconds * 1000, answer.found, body.question)
    else:
        log.info("answered in %.0f ms, found=%s", seconds * 1000, answer.found)
    return answer.to_dict()
