# Set-up is idempotent: the venv and the install are redone only when pyproject.toml changed.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: setup run test index bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q torch==2.13.0
	$(BIN)/pip install --disable-pip-version-check -q -e '.[dev]'
	touch $(STAMP)

index: setup
	@if [ -f "$${RAG_INDEX_DIR:-index}/index.sqlite" ]; then echo "index present in $${RAG_INDEX_DIR:-index}/"; \
	else $(BIN)/rag ingest seeds; fi

run: index
	$(BIN)/rag serve --host $(HOST) --port $(PORT)

test: setup
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: index
	$(BIN)/python bench/ask_latency.py
	$(BIN)/python bench/ingest_throughput.py

clean:
	rm -rf $(VENV) index/*.sqlite* index/*.faiss index/write.lock
