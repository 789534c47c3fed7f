"""One hierarchy of domain errors; the CLI and the API turn them into messages and codes."""

from __future__ import annotations


class RagError(Exception):
    """Base of every error the library raises on purpose."""

    code = "rag_error"
    http_status = 500

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  -> {self.hint}" if self.hint else self.message


class ConfigError(RagError):
    """A setting is missing or has an impossible value."""

    code = "config_error"
    http_status = 500


class ModelError(RagError):
    """The embedding model cannot be fetched, verified or loaded."""

    code = "model_unavailable"
    http_status = 503


class ModelIntegrityError(ModelError):
    """A model file on disk does not match its pinned SHA-256."""

    code = "model_corrupt"


class FetchError(ModelError):
    """A package registry could not be reached or refused a download."""

    code = "fetch_failed"


class IngestError(RagError):
    """A corpus file cannot be read; ingestion skips it and reports why."""

    code = "ingest_error"
    http_status = 422


class IndexError_(RagError):
    """The index is missing, corrupt, or was built with other settings."""

    code = "index_unavailable"
    http_status = 503


class IndexMismatchError(IndexError_):
    """The index on disk was built with another model, chunking or corpus."""

    code = "index_mismatch"


class IndexCorruptError(IndexError_):
    """A file of the index cannot be read back."""

    code = "index_corrupt"


class StoreError(RagError):
    """A vector store backend failed."""

    code = "store_error"
    http_status = 503


class InvalidQuestionError(RagError):
    """A question is empty, too long, or otherwise unusable."""

    code = "invalid_question"
    http_status = 422


class QuestionTooLongError(InvalidQuestionError):
    """A question is longer than the configured limit."""

    code = "question_too_long"
    http_status = 413


class NotFoundError(RagError):
    """An article or paragraph id does not exist."""

    code = "not_found"
    http_status = 404


class LLMError(RagError):
    """The configured LLM endpoint failed, refused the key, or is not configured."""

    code = "llm_unavailable"
    http_status = 503


class LLMBusyError(LLMError):
    """The on-box LLM is loading or already has as many questions as it may queue."""

    code = "llm_busy"
    http_status = 503

    def __init__(self, message: str, *, hint: str | None = None, retry_after_s: int = 5) -> None:
        super().__init__(message, hint=hint)
        self.retry_after_s = retry_after_s


class EvalError(RagError):
    """A question set is malformed."""

    code = "eval_error"
    http_status = 422


class NotReadyError(RagError):
    """The pipeline is still starting (loading the model or building the index)."""

    code = "not_ready"
    http_status = 503


class ArticleError(RagError):
    """An article to add or change is unusable (no text, a bad id, an unreadable file)."""

    code = "invalid_article"
    http_status = 422


class ArticleTooLargeError(ArticleError):
    """An article or uploaded file is larger than the configured limit."""

    code = "article_too_large"
    http_status = 413


class UnsupportedFormatError(ArticleError):
    """An uploaded file is in a format the ingestion does not read."""

    code = "unsupported_format"
    http_status = 415


class DuplicateArticleError(ArticleError):
    """An article to add has the id of an article already in the corpus."""

    code = "duplicate_article"
    http_status = 409


class CorpusReadOnlyError(RagError):
    """The corpus cannot be edited (it is a single file, not a folder)."""

    code = "corpus_read_only"
    http_status = 409

class QuestionLogError(RagError):
    """The question log (SQLite) cannot be read; answering never depends on it."""

    code = "question_log_unavailable"
    http_status = 503
