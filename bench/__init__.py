"""`rag bench`: index build, query latency and HTTP throughput of this system next to two baselines
(the stock LangChain FAISS stack and BM25 alone), at several corpus sizes, in one run."""
