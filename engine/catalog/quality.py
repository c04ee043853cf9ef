"""Frame quality by content hash: each picture's measured sharpness, exposure and noise.

Owns: the frame_quality table (derived: measured again from the bytes when lost, left out of
backups). Keyed by content hash, so copies with the same bytes are measured once and a file
that changes is measured anew. Must not: measure anything (dedup/series.py does).
"""
from __future__ import annotations

from typing import Iterable, Sequence

from sqlalchemy import delete, insert, select

from .schema import frame_quality


def known(engine, hashes: Iterable[str]) -> dict[str, tuple[float, float, float]]:
    """hash -> (sharpness, exposure, noise) of the hashes measured before."""
    wanted = sorted(set(hashes))
    out: dict[str, tuple[float, float, float]] = {}
    with engine.connect() as conn:
        for start in range(0, len(wanted), 900):
            for h, s, e, n in conn.execute(select(frame_quality).where(
                    frame_quality.c.content_hash.in_(wanted[start:start + 900]))):
                out[h] = (s, e, n)
    return out


def remember(engine, items: Sequence[tuple[str, float, float, float]]) -> None:
    if not items:
        return
    with engine.begin() as conn:
        conn.execute(delete(frame_quality).where(frame_quality.c.content_hash.in_([i[0] for i in items])))
        conn.execute(insert(frame_quality), [{"content_hash": h, "sharpness": s, "exposure": e, "noise": n}
                                             for h, s, e, n in items])
