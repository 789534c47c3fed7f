"""Evaluation: question sets, metrics as pure functions, per-question scoring and reports.

Layout (data flows one way):
    questions.py  QuestionItem + load_questions (the eval/questions.jsonl format)
    normalize.py  answer matching: strip_punctuation / normalize_answer / contains_normalized
    metrics.py    answer_correct, citation_holds, retrieval_ranks, recall_at_k, mrr, ...
    results.py    QuestionResult / EvalMetrics / EvalReport, score_question, build_report
    report.py     render_markdown / render_html (pure: EvalReport -> str)
"""
