"""The one settings object. The only module that reads the environment (prefix RAG_, nested with __)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from platformdirs import user_cache_dir
from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_MODEL = "embeddinggemma-300m"


def _default_cache_dir() -> Path:
    return Path(user_cache_dir("rag-news"))


class ModelSettings(BaseModel):
    """Which embedding model, where its files live, and how it runs."""

    name: str = Field(
        DEFAULT_MODEL,
        description="'embeddinggemma-300m' (fetched offline from PyPI), any local "
        "sentence-transformers folder, or 'fake' (a keyword encoder for tests).",
    )
    cache_dir: Path = Field(
        default_factory=_default_cache_dir,
        description="Where fetched models are kept (outside the repo).",
    )
    dtype: Literal["float32", "bfloat16"] = Field(
        "float32",
        description="Weights' dtype on CPU (bfloat16 runs in PyTorch, not ONNX). bfloat16 only pays "
        "on CPUs with bf16 instructions (AVX512-BF16/AMX): on these AVX2-only cores it encoded "
        "0.23 documents/s against 1.28 for float32 ONNX. Vectors of both are interchangeable.",
    )
    backend: Literal["onnx", "torch"] = Field(
        "onnx",
        description="Where the transformer runs: ONNX Runtime (exported once per model, ~2.5-3x "
        "faster per query on CPU, same vectors) or PyTorch. Falls back to torch if the export fails.",
    )
    quantize: Literal["none", "int8"] = Field(
        "int8",
        description="With the ONNX backend: 'int8' runs the linear layers (all but the MLP output "
        "projections) in int8, made once from the float32 graph; 'none' keeps float32. Measured "
        "side by side here (AVX2 cores, `python -m bench.quantize`): documents 2.42 vs 1.84 "
        "chunks/s (float32 ONNX) and 1.17 (naive PyTorch encode), one query 61 vs 80 ms, cosine "
        "0.99 to float32, the same recall and `rag eval` figures. Its vectors get their own "
        "fingerprint, so switching re-embeds the corpus.",
    )
    batch_size: int = Field(
        4, ge=1, description="Texts per encoding batch (documents are sorted by length first). Small "
        "batches run faster on CPU: int8 ONNX documents/s at batch 1/2/4/8/16/48 were "
        "2.31/2.53/2.54/2.12/1.78/1.59 here.")
    max_seq_length: int = Field(512, ge=16, description="Tokens kept per text.")
    threads: int = Field(0, ge=0, description="torch threads; 0 keeps torch's default.")


class ChunkSettings(BaseModel):
    """How paragraphs become chunks."""

    max_chars: int = Field(400, ge=50, description="Longest chunk, in characters.")
    overlap_sentences: int = Field(1, ge=0, description="Sentences repeated between windows.")


class RetrievalSettings(BaseModel):
    """How hits are found and fused."""

    top_k: int = Field(5, ge=1, le=50, description="Paragraphs given to the answerer.")
    candidates: int = Field(50, ge=5, description="Candidates taken from each retriever before fusion.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant.")
    mode: Literal["hybrid", "dense", "keyword"] = "hybrid"
    faiss_hnsw_above: int = Field(
        50_000, ge=0, description="Use an HNSW index when the store holds more vectors than this "
        "(a flat scan of 167k vectors, the 68k-report corpus, takes 45-65 ms on these cores; "
        "HNSW ~1 ms; recall against flat: `python -m bench.ann`)."
    )
    faiss_threads: int = Field(
        1, ge=0, description="OpenMP threads for FAISS searches in this process (0 keeps FAISS's "
        "default). One query at a time gains nothing from threads, and concurrent requests make "
        "them spin against each other: 6.6 vs 10.8 ms p50 over 25k vectors measured here."
    )
    # Measured on the dev sets (answer in the top 5, 18 settings), not adopted: dense/words/bigrams
    # 0.5/0.5/1.0 lifts crud-dev 0.941 -> 0.952 (keyword alone 0.949) with bundled unchanged
    # (0.953), but costs rgb-dev one unanswerable refusal (0.552 -> 0.517) against a CI floor of
    # 0.50; kept at 1/1/1 until a reader change pays for it.
    dense_weight: float = Field(1.0, ge=0, description="Weight of the dense ranking in the fusion.")
    words_weight: float = Field(
        1.0, ge=0, description="Weight of BM25 over jieba words in the fusion (also in keyword mode)."
    )
    bigrams_weight: float = Field(
        1.0, ge=0, description="Weight of BM25 over character bigrams in the fusion (also in keyword mode)."
    )
    foreign_query_keyword_weight: float = Field(
        0.25, ge=0, le=1, description="Multiplier of both BM25 weights for a query without any Chinese "
        "character (an English question over Chinese news): words of another language match only "
        "stray Latin tokens, while the dense model ranks across languages. On eval/crud's English "
        "questions hybrid R@5 rose from 0.50 to 1.00 with 0.25; Chinese queries are unaffected.",
    )
    dedup_jaccard: float = Field(
        0.85, ge=0, le=1.01,
        description="Paragraphs whose character-bigram Jaccard similarity to a better hit reaches "
        "this are near-duplicates and dropped from results (>1 keeps all).",
    )


class AnswerSettings(BaseModel):
    """How answers are produced."""

    mode: Literal["extractive", "llm", "local", "auto"] = Field(
        "extractive", description="'extractive' (sentences picked from the paragraphs, ~0.1 s), 'local' "
        "(the on-box LLM of `local_llm`), 'llm' (the OpenAI-compatible endpoint `llm_base_url`), or "
        "'auto' (extractive when the reader is confident, else the LLM — the endpoint when one is "
        "configured, else the on-box one — with the grounding guards; the fixed refusal when "
        "neither is grounded).")
    auto_min_probability: float = Field(
        0.5, ge=0, le=1, description="In auto mode, an extractive answer whose calibrated P(right) "
        "(calibration.json) is below this goes to the LLM; 0 turns it off. Measured per question "
        "(reader and LLM side by side): with Qwen2.5-Coder-1.5B, 0.5 sends 31% of rgb-dev to the "
        "LLM, accuracy 0.795 -> 0.830, and 20% of a 100-question crud-dev sample, 0.640 -> 0.660; "
        "with the 0.5B model no threshold gains (rgb-dev 0.795 -> 0.773 at 0.3).")
    auto_min_confidence: float = Field(
        0.0, description="In auto mode, an extractive answer whose reader score is below this also "
        "goes to the LLM (0: off; the score alone routes worse than the calibrated probability: "
        "1.5 with 1.5B gives rgb-dev 0.818 but the crud-dev sample 0.640 -> 0.610).")
    abstain_phrase: str = "抱歉，现有文章中没有找到这个问题的答案。"
    min_answer_probability: float = Field(
        0.15, ge=0, lt=1, description="An extractive answer whose calibrated probability of being right "
        "(rag/answer/calibration.json, fitted on crud-train) is below this is refused (flag 'unsure'); "
        "0 turns the calibration off. Chosen by one rule on crud-dev and rgb-dev (`rag train-calibrator "
        "--check-only`): the highest threshold that refuses at most 12.5 % and 10 % of their answerable "
        "questions. With the span model's refit: 0.15 (crud-dev refused 0.088 at 0 -> 0.116, rgb-dev "
        "0.057 -> 0.068, rgb-dev unanswerable refused 0.517 -> 0.552; 0.20 would refuse 0.133 of crud-dev).")
    calibration_file: Path | None = Field(
        None, description="Another calibration model (from `rag train-calibrator --out`); default: "
        "the packaged one.")
    fitted_ranker: bool = Field(
        True, description="Choose the answer sentence with the fitted ranker (rag/answer/ranker.json, "
        "fitted on crud-train by `rag train-reader`); false: the hand-set heuristic score.")
    fitted_span: bool = Field(
        True, description="Open an answer to a typed (number/person/date/place/name) question with the span of its "
        "sentence chosen by rag/answer/span.json (fitted on crud-train by `rag train-reader`) among the "
        "sentence's spans of the asked-for kind; false: the hand rule's (nearest to a question word).")
    fitted_lead: bool = Field(
        True, description="Open an answer to a what/how/why/list question with the clauses of its sentence "
        "that hold the asked-for thing (chosen by rag/answer/lead.json, fitted on crud-train by `rag "
        "train-reader`), then the whole sentence; false: the sentence alone.")
    ranker_file: Path | None = Field(
        None, description="Another ranker model (from `rag train-reader --out`); default: the packaged one.")
    min_dense_score: float = Field(
        0.30, description="Top dense cosine below which the answerer abstains. Calibrated on eval/questions.jsonl: "
        "near-miss unanswerables score as high as answerable ones (0.32-0.74 vs 0.31-0.80), so this only "
        "rejects off-topic questions; the reader's fact and term checks do the rest."
    )
    min_context_coverage: float = Field(
        0.5, ge=0, le=1, description="Share of the question's key terms (weighted) that the answer's paragraph "
        "and headline must hold, else abstain (calibrated by eval).")
    min_sentence_coverage: float = Field(
        0.2, ge=0, le=1, description="Share of the question's key terms the answer sentence itself must hold.")
    min_sentence_similarity: float = Field(
        0.3, description="For English questions: least cosine between the question and the answer sentence.")
    min_llm_support: float = Field(
        0.5, ge=0, le=1, description="Least share of an LLM claim's character bigrams found in a paragraph it "
        "cites; below it the LLM answer is replaced by the extractive one.")
    max_sentences_embedded: int = Field(
        0, ge=0, description="Candidate sentences the reader embeds per question to score them by similarity "
        "(0 = off: ~16 sentences cost 0.5 s+ on 2 cores; +2 points of accuracy on the eval set).")
    max_sentences_embedded_en: int = Field(
        0, ge=0, description="The same for English questions only, which share no words with a Chinese "
        "report, so only similarity can pick their answer sentence. Measured here: 8 lifts English "
        "accuracy on eval/crud and eval/crud600 from 25% and 50% to 75% and 75% (4 questions each; "
        "the bundled page's 12 stay at 100%) but costs ~200 ms per English question, which puts "
        "the bundled `ask` p95 over issue 8's 150 ms; so 0 by default.")
    max_question_chars: int = Field(500, ge=10, description="Longer questions are refused (413).")
    llm_base_url: str | None = Field(None, description="OpenAI-compatible endpoint, e.g. http://localhost:11434/v1")
    llm_model: str = "gpt-4o-mini"
    llm_api_key: SecretStr = SecretStr("not-needed")
    llm_timeout_s: float = 60.0
    llm_temperature: float = 0.0


class LocalLLMSettings(BaseModel):
    """The on-box LLM (llama.cpp in-process, through xllamacpp) used by the 'local' and 'auto' modes."""

    model: str = Field(
        "qwen2.5-coder-0.5b", description="'qwen2.5-coder-0.5b' or 'qwen2.5-coder-1.5b' (GGUF Q4_K_M, "
        "fetched from PyPI by `rag models fetch` and verified by SHA-256), or a path to any local "
        "GGUF file.")
    fetch: bool = Field(True, description="Whether `rag models fetch` (and the set-up) downloads it.")
    enabled: bool = Field(True, description="Load it at server start when its file is present.")
    threads: int = Field(2, ge=1, description="llama.cpp threads for reading and writing.")
    n_ctx: int = Field(2048, ge=256, description="Context window, in tokens.")
    max_tokens: int = Field(120, ge=8, description="Longest answer, in tokens.")
    max_answer_chars: int = Field(300, ge=20, description="Answers are cut after this many characters.")
    context_chars: int = Field(
        600, ge=100, description="Budget of context characters in a prompt (~1.5 characters per "
        "token): the sentences of the retrieved paragraphs that best match the question.")
    queue: int = Field(2, ge=0, description="Questions that may wait for the one running generation; "
        "more get 503 llm_busy with Retry-After.")
    timeout_s: float = Field(60.0, gt=0, description="Longest wait for one generation.")


class StoreSettings(BaseModel):
    """Where vectors live."""

    uri: str = Field(
        "faiss",
        description="'faiss' (files in the index dir), 'milvus-lite:///path/to.db', or 'milvus://host:19530'.",
    )
    collection: str = "rag_chunks"


class ServerSettings(BaseModel):
    """The HTTP server."""

    host: str = "127.0.0.1"
    port: int = 7860
    api_key: SecretStr | None = Field(
        None, description="When set, /api/* and /v1/* require it (not /api/health, the docs or the UI); "
        "without it /api/status answers loopback clients only.")
    rate_limit_per_minute: int = Field(
        120, ge=0, description="Requests per client per minute to /api, /v1 and the UI's /gradio_api "
        "(each its own budget; /api/health is exempt); 0 = off.")
    max_body_bytes: int = Field(
        64_000, ge=1024, description="Larger /api, /v1 and UI (/gradio_api) bodies get 413.")
    body_timeout_s: float = Field(
        10.0, gt=0, description="Seconds a client may take to send a whole request body (one shorter "
        "than its Content-Length, or trickled in) before it gets 408 and the connection is closed.")
    open_editing_loopback: bool = Field(
        False, description="Without an API key, let clients on this machine (127.0.0.1, ::1) add, "
        "change and remove articles (POST/PUT/DELETE /api/articles); off, those edits need the key "
        "and are refused (403) while none is configured.")
    max_upload_bytes: int = Field(
        2_000_000, ge=1024, description="Largest body of POST/PUT /api/articles (a JSON article or "
        "an uploaded corpus file); larger ones get 413. Other /api bodies keep max_body_bytes.")
    max_history_chars: int = Field(
        4000, ge=0, description="Most characters of conversation history (all earlier turns together) "
        "in /api/ask, /api/ask/stream and /v1/chat/completions; over it 413; 0 = no limit.")
    example_questions: tuple[str, ...] = Field(
        (
            "天元区教育局的局长叫什么名字？",
            "天元区的学校开了多少次家长会？",
            "隆回交警给学生发了多少份宣传材料？",
            "祁阳对多少名“一把手”进行了警示教育？",
        ),
        description="Questions offered as clickable examples in the UI (suited to the bundled corpus).",
    )


class IndexSettings(BaseModel):
    """How a built index is checked when it is opened."""

    verify_on_load: bool = Field(
        True, description="Check every file of the index generation against the SHA-256 recorded in "
        "its manifest before loading it (SHA-256 runs at ~0.7-1 GB/s here: ~2-3 s for the ~2 GB of "
        "the 68k-report index). A mismatch raises IndexCorruptError; off skips the file hashes "
        "(the manifest's own checksum is always checked).")
    rebuild_on_corrupt: bool = Field(
        False, description="When `rag serve` finds the index corrupt (a damaged, missing or "
        "altered file, a garbage manifest), rebuild it from the corpus folder (keyword answers "
        "first, like a new corpus) instead of reporting status 'corrupt'. Vectors are reused from "
        "the embedding cache unless the cache itself is damaged.")


class EditSettings(BaseModel):
    """Limits on articles added or changed through the API and `rag add`."""

    max_article_chars: int = Field(
        200_000, ge=100, description="Most characters of text in one added or changed article "
        "(more: 413 article_too_large).")
    max_articles_per_file: int = Field(
        5_000, ge=1, description="Most articles one uploaded or added file may hold.")

class QuestionLogSettings(BaseModel):
    """The staff's question log and answer feedback (SQLite under the index folder; no IP addresses)."""

    enabled: bool = Field(
        True, description="Record every question asked through the API and the UI (text, time, "
        "answer mode, answered or refused, cited paragraph ids, latency; never the client's "
        "address) and accept feedback on answers. Off: answers still carry an answer_id, nothing "
        "is stored and feedback is refused (404).")
    path: Path | None = Field(
        None, description="The SQLite file (default: <index_dir>/questions.sqlite3).")
    retention_days: int = Field(
        90, ge=0, description="Questions (and their feedback) older than this many days are "
        "deleted, at start and hourly while serving; 0 keeps them forever.")
    group_jaccard: float = Field(
        0.6, ge=0, le=1, description="Questions whose normalised character bigrams have at least "
        "this Jaccard similarity are grouped as one in the staff's 'most frequent' list "
        "(questions with the same normalised text always are).")
    group_window: int = Field(
        5000, ge=10, description="Most recent matching questions read to build the grouped list.")


class EvalSettings(BaseModel):
    """Where the named evaluation sets (`rag eval --set …`) and their indexes live."""

    datasets_dir: Path = Field(
        Path("../shared/datasets"), description="Folder of the external question sets "
        "(crud-qa/, rgb-zh/; see their README): read, never written.")
    index_root: Path | None = Field(
        None, description="Where the named sets' indexes are built (default: "
        "<model.cache_dir>/eval-index/<set>), outside the repo.")
    bench_corpus: Path = Field(
        Path("../shared/bench/crud-news.jsonl.xz"), description="The 68k CRUD-RAG reports, from which "
        "the crud-train set's corpus is drawn.")


class Settings(BaseSettings):
    """Everything configurable, in one object handed to every part."""

    model_config = SettingsConfigDict(
        env_prefix="RAG_", env_nested_delimiter="__", env_file=None, extra="ignore"
    )

    corpus_dir: Path = Field(Path("corpus"), description="Folder of corpus files.")
    index_dir: Path = Field(Path("embeddings"), description="Folder of the built index.")
    model: ModelSettings = Field(default_factory=ModelSettings)
    chunk: ChunkSettings = Field(default_factory=ChunkSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    local_llm: LocalLLMSettings = Field(default_factory=LocalLLMSettings)
    index: IndexSettings = Field(default_factory=IndexSettings)
    edit: EditSettings = Field(default_factory=EditSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    eval: EvalSettings = Field(default_factory=EvalSettings)
    question_log: QuestionLogSettings = Field(default_factory=QuestionLogSettings)
