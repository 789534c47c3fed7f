"""One object wiring settings -> index -> retriever -> chain. The API, the UI, the CLI and eval all use it.

Contract (others code against this; keep it stable):

    pipeline = Pipeline.open(settings)          # loads or builds the index, loads the model once
    pipeline.ask(question, history=(), top_k=None, mode=None) -> Answer
    pipeline.stream(question, history=(), top_k=None, mode=None) -> Iterator[str | Answer]
        # yields text pieces, then the final Answer record last
    pipeline.search(query, k=5, mode=None) -> list[Hit]
    pipeline.articles() -> list[Article]        # paragraphs included
    pipeline.article(article_id) -> Article     # raises NotFoundError
    pipeline.health() -> dict                   # index, model and corpus status
"""

from __future__ import annotations
