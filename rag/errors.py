"""The small family of domain errors. The CLI maps them to exit codes, the API to HTTP status.

Every message says what happened and what to do next, in one line.
"""


class RagError(Exception):
    http_status = 500
    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(RagError):
    """The caller sent something we cannot use (empty question, bad file, ...)."""

    http_status = 400
    exit_code = 2


class UnsupportedFile(InvalidInput):
    http_status = 415


class PayloadTooLarge(InvalidInput):
    http_status = 413


class NotFound(RagError):
    """A named thing (document, source) is not in the index."""

    http_status = 404


class IndexBusy(RagError):
    """Another process is writing the index."""

    http_status = 409


class ModelMismatch(RagError):
    """The index was built by a different embedding model than the one configured."""

    http_status = 409


class IndexOutdated(RagError):
    """The index on disk was written by an older version in a format this one cannot extend."""

    http_status = 409


class ModelUnavailable(RagError):
    http_status = 503


class Unauthorized(RagError):
    http_status = 401


class Forbidden(RagError):
    """The key is known but its scopes do not allow this (writing a collection, managing keys)."""

    http_status = 403


class AuditFailed(RagError):
    """RAG_AUDIT_LOG could not be written: the request's result is withheld rather than left unrecorded."""

    http_status = 500


class ClusterFailed(RagError):
    """The Dask cluster of `rag ingest --cluster` cannot be reached, or failed on a file."""

    http_status = 503
