# Set-up is idempotent: the venv and the install are redone only when pyproject.toml changed.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

# Debian packages the product uses when present: Apertium translates across en/es/pt; Tesseract
# and its language data read scanned pages (OCR, rag/ocr.py).
TRANSLATION_PACKAGES := apertium apertium-eng-spa apertium-es-pt
OCR_PACKAGES := tesseract-ocr tesseract-ocr-eng tesseract-ocr-spa tesseract-ocr-por

.PHONY: setup system run test index bench clean

setup: system $(STAMP)

# Installed when missing and apt-get is usable as root; otherwise the command is printed and the
# set-up goes on: $(2) says what stays off, everything else works.
define apt_install
missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
if [ -n "$$missing" ]; then \
  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
    echo "installing$$missing (Debian)"; \
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq$$missing >/dev/null) \
      || echo "could not install$$missing; $(2) until: sudo apt-get install$$missing"; \
  else echo "$(2) until you run: sudo apt-get install$$missing"; fi; \
fi
endef

system:
	@$(call apt_install,$(TRANSLATION_PACKAGES),translation stays off)
	@$(call apt_install,$(OCR_PACKAGES),OCR stays off (scanned pages are refused))

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q torch==2.13.0
	$(BIN)/pip install --disable-pip-version-check -q -e '.[dev]'
	touch $(STAMP)

# The seeds are indexed when the index holds no document yet (a file left by an empty index counts as none).
index: setup
	@if [ -f "$${RAG_INDEX_DIR:-index}/index.sqlite" ] && [ "$$($(BIN)/rag docs --json)" != "[]" ]; then \
	echo "index present in $${RAG_INDEX_DIR:-index}/"; else $(BIN)/rag ingest seeds; fi

run: index
	$(BIN)/rag serve --host $(HOST) --port $(PORT)

test: setup
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: index
	$(BIN)/python bench/ask_latency.py
	$(BIN)/python bench/ingest_throughput.py

clean:
	rm -rf $(VENV) index/*.sqlite* index/*.faiss index/write.lock
