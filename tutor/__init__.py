"""tutor: an offline-first, RAG-powered interview tutor for Generative-AI roles."""

__version__ = "0.1.0"
