"""Grounded answers with paragraph citations.

Layout (data flows one way):
    text.py        sentence/clause splitting, language detection, term coverage
    lexicon.py     closed word lists (titles, place/organisation suffixes, stop words, synonyms),
                   read once from the data files in lexicons/*.txt
    tokenize.py    a private jieba tokenizer (words + part-of-speech tags)
    question.py    Question: what is asked for (number/person/date/place/entity/list/why/how/what)
    facts.py       finding quantities, dates, names, entities, quoted names in a sentence
    base.py        Draft, the Answerer and Embedder protocols, the numbered context format
    extractive.py  ExtractiveAnswerer: the offline default (sentence selection + abstention)
    llm.py         LLMAnswerer: any OpenAI-compatible endpoint via langchain-openai
    citations.py   pure citation checks: markers, Citation records, support
    condense.py    follow-up -> standalone question, by rules
    state.py       AskState: the frozen record the chain's steps pass along
    chain.py       build_chain(settings, retriever, llm=None, embedder=None) -> AnswerChain (LCEL)
"""

from rag.answer.base import Answerer, Draft
from rag.answer.chain import AnswerChain, build_chain
from rag.answer.extractive import ExtractiveAnswerer
from rag.answer.llm import LLMAnswerer

__all__ = ["AnswerChain", "Answerer", "Draft", "ExtractiveAnswerer", "LLMAnswerer", "build_chain"]
