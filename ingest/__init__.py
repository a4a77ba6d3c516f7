"""Ingestion: source files -> clean text -> cards with key points -> chunks -> index."""
