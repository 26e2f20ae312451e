"""GET /metrics and GET /readyz: Prometheus text from the app's own registry, and the counts."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from live_service import CORPUS, KNOWN_QUESTION, upload


def samples(client) -> dict[tuple, float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def requests(method: str, route: str, status: int) -> tuple:
    return ("rag_http_requests_total", (("method", method), ("route", route), ("status", str(status))))


def test_metrics_count_requests_time_answers_and_gauge_the_index(serve):
    client = serve().client
    upload(client, CORPUS)
    client.post("/ask", json={"question": KNOWN_QUESTION})
    client.post("/ask", json={"question": "What is the airspeed velocity of a swallow?"})
    client.post("/ask", json={"question": ""})
    client.get("/documents/0123456789abcdef/text")
    client.get("/no/such/page")
    ready = client.get("/readyz").json()

    metrics = samples(client)
    assert metrics[requests("POST", "/documents", 200)] == 1
    assert metrics[requests("POST", "/ask", 200)] == 2
    assert metrics[requests("POST", "/ask", 422)] == 1
    assert metrics[requests("GET", "/documents/{doc_id}/text", 404)] == 1
    assert metrics[requests("GET", "unmatched", 404)] == 1
    assert metrics[requests("GET", "/readyz", 200)] == 1
    assert metrics[("rag_ask_seconds_count", (("found", "true"),))] == 1
    assert metrics[("rag_ask_seconds_count", (("found", "false"),))] == 1
    assert metrics[("rag_ask_seconds_sum", (("found", "true"),))] > 0
    assert metrics[("rag_documents", ())] == ready["documents"] == len(CORPUS)
    assert metrics[("rag_chunks", ())] == ready["chunks"] > 0


def test_each_app_counts_only_its_own_requests(serve):
    first, second = serve().client, serve().client
    first.post("/ask", json={"question": KNOWN_QUESTION})
    assert requests("POST", "/ask", 200) in samples(first)
    assert requests("POST", "/ask", 200) not in samples(second)
    assert samples(second)[requests("GET", "/metrics", 200)] == 1


def test_readyz_counts_an_empty_index(serve):
    assert serve().client.get("/readyz").json() == {"status": "ready", "documents": 0, "chunks": 0}
