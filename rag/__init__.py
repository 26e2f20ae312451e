"""Offline cited-answer engine: load, chunk, embed, retrieve, compose extractive answers."""

__version__ = "0.1.0"
