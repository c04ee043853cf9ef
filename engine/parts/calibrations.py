"""The Library's calibrations part: where chance similarity ends for each model in this library.

Owns: loading a sample of the model's vectors from the catalog with each one's picture (content
hash; a RAW's JPEG partner is the RAW's picture), running dedup/calibrate.py on them, keeping the
result as derived data in calibration.json beside the catalog (recomputed when the model's
vector count moved by more than REFRESH_SHARE, or on request; a missing or damaged file is
simply computed again), and which thresholds a model uses: yours (Settings.thresholds, per
tier) over the table below's choice of calibrated or fixed (the registry's measured defaults).
Must not: run SQL or FAISS itself (catalog/ does), hold the writer lock (the file is derived and
written atomically; the catalog is only read), or print.
"""
from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Callable, Optional

from ..dedup import calibrate
from ..dedup.units import Units
from ..embedding.registry import spec
from ..jobs import CancelToken, ProgressCallback, Reporter
from ..results import Calibration
from ..scanning.raw import is_raw
from ..settings import Settings

FILE = "calibration.json"
VERSION = 1
REFRESH_SHARE = 0.10
# Per model, which thresholds grouping uses, decided by bench/quality.py's calibrated-vs-fixed
# comparison (README, "Thresholds that calibrate themselves"): a model's measured fixed
# defaults stay only where they scored a better near-tier F1. Models not listed (DINOv2, CLIP:
# no weights to measure here) use calibration.
# sscd: calibrated near F1 0.992 / 0.983 against the fixed 0.990 / 0.981 (two builds);
# sscd-distilled and phash: the fixed defaults scored higher on both.
CHOICE = {"sscd-distilled": "fixed", "phash": "fixed"}


def choice(model: str) -> str:
    return CHOICE.get(model, "calibrated")


class Calibrations:
    def __init__(self, catalog, library_dir: Path, settings: Callable[[], Settings],
                 resolve_model: Callable[[Optional[str]], str]) -> None:
        """`settings()`: the library's settings now (they may be replaced)."""
        self.catalog = catalog
        self.path = Path(library_dir) / FILE
        self.settings = settings
        self.resolve_model = resolve_model
        self._lock = threading.Lock()
        self._memory: Optional[dict] = None

    def thresholds(self, model: str, on_progress=None, cancel=None, measure: bool = True) -> dict[str, float]:
        c = self.calibration(model, on_progress, cancel, measure=measure)
        return {"near": c.near, "similar": c.similar}

    def calibration(self, model: Optional[str] = None, on_progress: Optional[ProgressCallback] = None,
                    cancel: Optional[CancelToken] = None, refresh: bool = False,
                    measure: bool = True) -> Calibration:
        """The model's calibration and the thresholds grouping uses with it. `measure=False`
        only reads what was stored, however old (quick enough for a GUI thread)."""
        name = self.resolve_model(model)
        defaults = spec(name)
        estimate = (self.estimate(name, on_progress, cancel, refresh) if measure
                    else _same_rule(self._read().get(name)))
        near, similar, source = defaults.near, defaults.similar, "fixed"
        # A chance end at the top of the scale leaves no threshold beyond chance: the defaults hold.
        end = (estimate or {}).get("chance_end")
        if end is not None and end < calibrate.CEILING and choice(name) == "calibrated":
            near, similar = calibrate.thresholds(estimate["chance_end"], estimate["scale"])
            source = "calibrated"
        yours = self.settings().thresholds.get(name) or {}
        if "near" in yours or "similar" in yours:
            near = float(yours.get("near", near))
            similar = float(yours.get("similar", min(similar, near)))
            source = "yours"
        estimate = estimate or {}
        return Calibration(name, estimate.get("chance_end"), near, similar, estimate.get("pairs", 0),
                           estimate.get("photos", 0), source)

    def estimate(self, model: str, on_progress=None, cancel=None, refresh: bool = False) -> Optional[dict]:
        """The stored estimate of `model` (computed when missing, stale or asked for); None when
        the library has no vectors of it."""
        dim = self.catalog.embedding_dim(model)
        if dim is None:
            return None
        count, _ = self.catalog.embedding_state(model, dim)
        with self._lock:
            stored = self._read().get(model)
            if not refresh and _current(stored, dim, count):
                return stored
            fresh = self._compute(model, dim, count, on_progress, cancel)
            data = self._read()
            data[model] = fresh
            self._write(data)
            return fresh

    def _compute(self, model: str, dim: int, count: int, on_progress, cancel) -> dict:
        reporter = Reporter("calibrating", 3, on_progress, cancel)
        ids = sorted(self.catalog.embedded_ids(model, dim))
        chosen = [ids[i] for i in calibrate.sample_rows(len(ids))]
        ids, vectors = self.catalog.vectors_of(model, dim, chosen)
        reporter.advance()
        labels = self._pictures(ids.tolist())
        reporter.advance()
        known = [i for i, label in enumerate(labels) if label is not None]
        pictures = len(set(labels[i] for i in known))
        # Beyond the sample, the library holds as many pictures per vector as the sample did.
        photos = pictures if len(ids) == count else round(count * pictures / max(1, len(known)))
        scores = calibrate.unrelated_scores(vectors[known], [labels[i] for i in known])
        estimate = calibrate.estimate(scores, photos)
        reporter.advance()
        return {"dim": dim, "vectors": count, "photos": photos, "pairs": int(len(scores)), "rule": calibrate.RULE,
                "chance_end": estimate.chance_end if estimate else None,
                "scale": estimate.scale if estimate else None}

    def _pictures(self, ids: list[int]) -> list[Optional[str]]:
        """Each file's picture: its content hash, a JPEG with a RAW partner taking the RAW's."""
        records = self.catalog.files_by_ids(ids)
        units = Units(self.catalog.file_by_path, self.settings().pair_raw_jpeg)
        picture = {i: r.content_hash for i, r in records.items()}
        for i, r in records.items():
            partner = units.partner(r) if is_raw(r.path) else None
            if partner is not None and partner.id in picture:
                picture[partner.id] = r.content_hash
        return [picture.get(i) for i in ids]

    def _read(self) -> dict:
        if self._memory is None:
            try:
                raw = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                raw = None   # derived data: missing or damaged is computed again
            ok = isinstance(raw, dict) and raw.get("version") == VERSION and isinstance(raw.get("models"), dict)
            self._memory = raw["models"] if ok else {}
        return dict(self._memory)

    def _write(self, models: dict) -> None:
        self._memory = dict(models)
        try:
            fd, tmp = tempfile.mkstemp(prefix=".calibration-", dir=self.path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"version": VERSION, "models": models}, fh, indent=1, sort_keys=True)
            os.replace(tmp, self.path)
        except OSError:
            pass   # derived data: kept in memory, computed again by the next process


def _current(stored, dim: int, count: int) -> bool:
    if not isinstance(stored, dict) or stored.get("dim") != dim or stored.get("rule") != calibrate.RULE:
        return False
    before = stored.get("vectors") or 0
    return abs(count - before) <= REFRESH_SHARE * max(before, 1)


def _same_rule(stored) -> Optional[dict]:
    """A stored estimate made by this rule (one made by another is no estimate of it)."""
    return stored if isinstance(stored, dict) and stored.get("rule") == calibrate.RULE else None
