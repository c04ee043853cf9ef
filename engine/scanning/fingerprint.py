"""Content fingerprints: the hash that identifies a file's bytes wherever it moves.

Owns: the hash algorithm and chunked reading. Must not: decode images.
"""
from __future__ import annotations

import hashlib

CHUNK = 1 << 20


def content_hash(path: str) -> str:
    """BLAKE2b-128 of the whole file: fast, and collision-safe for identifying exact copies."""
    digest = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(CHUNK)
            if not chunk:
                break
            digest.update(chunk)
    return digest.hexdigest()
