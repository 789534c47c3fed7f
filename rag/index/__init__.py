"""Chunking, embedders, the vector store, the keyword index, and the builder that ties them together."""
