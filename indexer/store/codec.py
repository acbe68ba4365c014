"""Whoosh's on-disk format, minus per-posting field-length statistics.

Whoosh records the shortest and longest field length of every posting block so that its own
scorer can skip blocks; dangan ranks with its array executor and never uses them, while
looking a length up for each posting costs about a seventh of indexing time. Field lengths
themselves (for BM25) are still written per document.
"""
from __future__ import annotations

from whoosh.codec.whoosh3 import W3Codec


class IndexCodec(W3Codec):
    length_stats = False
