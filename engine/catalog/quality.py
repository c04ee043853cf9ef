"""Frame quality kept by content hash, so a picture is measured once, whatever its name.

Owns: the frame_quality table (derived: a rebuild or repair may drop it; the next proposal
measures again). Values are (sharpness, exposure, noise) as dedup/series.py measures them,
under the name of that measure (series.MEASURE): values stored under another name are not
returned, and the first write under a new name empties the table. Must not:
measure pictures (dedup/series.py does) or decide anything with them.
"""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import delete, select
from sqlalchemy.dialects.sqlite import insert

from .schema import frame_quality, meta

_META_KEY = "frame_quality_measure"


class FrameQualities:
    def __init__(self, engine, measure: str) -> None:
        self.engine = engine
        self.measure = measure

    def get(self, hashes: Iterable[str]) -> dict[str, tuple[float, float, float]]:
        wanted = sorted(set(h for h in hashes if h))
        out: dict[str, tuple[float, float, float]] = {}
        if not wanted or not self._current():
            return out
        c = frame_quality.c
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                for digest, sharp, exposure, noise in conn.execute(
                        select(c.content_hash, c.sharpness, c.exposure, c.noise).where(c.content_hash.in_(chunk))):
                    out[digest] = (sharp, exposure, noise)
        return out

    def put(self, values: dict[str, tuple[float, float, float]]) -> None:
        if not values:
            return
        with self.engine.begin() as conn:
            if not self._current(conn):
                conn.execute(delete(frame_quality))
                _set_meta(conn, self.measure)
            rows = [{"content_hash": h, "sharpness": s, "exposure": e, "noise": n}
                    for h, (s, e, n) in values.items()]
            stmt = insert(frame_quality).values(rows)
            conn.execute(stmt.on_conflict_do_update(
                index_elements=["content_hash"],
                set_={"sharpness": stmt.excluded.sharpness, "exposure": stmt.excluded.exposure,
                      "noise": stmt.excluded.noise}))

    def _current(self, conn=None) -> bool:
        if conn is None:
            with self.engine.connect() as conn:
                return _get_meta(conn) == self.measure
        return _get_meta(conn) == self.measure


def _get_meta(conn):
    return conn.execute(select(meta.c.value).where(meta.c.key == _META_KEY)).scalar()


def _set_meta(conn, value: str) -> None:
    stmt = insert(meta).values(key=_META_KEY, value=value)
    conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value}))
