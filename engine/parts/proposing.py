"""The Library's proposing part: for each duplicate group, which copy to keep.

Owns: joining groups, the preset's keep rules and reference folders into proposals (the
similar tier proposes only the copies among its pictures), and frame quality for the rules that
need it: measured once per content hash, only for groups whose copies differ, with progress
and cancel, kept in the catalog when the library is free to write (a cache: skipped, never
waited for, while another program writes). Must not: group (the door's `groups` does), change
marks or files, or run SQL (catalog/quality.py does).
"""
from __future__ import annotations

import dataclasses
import logging
from typing import Callable, Optional, Sequence

from ..catalog.quality import FrameQualities
from ..dedup import keep, series
from ..jobs import CancelToken, ProgressCallback, Reporter
from ..lock import WriterLock
from ..scanning.decode import DecodeError

log = logging.getLogger(__name__)
SAVE_EVERY = 50          # measures kept in the catalog this often, so a cancel keeps most


def needs_quality(rules: Sequence[dict]) -> bool:
    return any(spec.get("rule") in ("sharpness", "series") for spec in rules)


def with_best_frames(files: Sequence, measured: dict) -> list:
    """The group's files with .quality and .best_frame set (series.among_best among the files
    measured; a file that could not be measured is not among the best). Unchanged when fewer
    than two distinct pictures were measured: nothing to compare."""
    qualities = {f.content_hash: measured.get(f.content_hash) for f in files}
    known = {h: q for h, q in qualities.items() if q is not None}
    if len(known) < 2:
        return list(files)
    hashes = list(known)
    best = dict(zip(hashes, series.among_best([known[h] for h in hashes])))
    return [dataclasses.replace(f, quality=qualities[f.content_hash],
                                best_frame=best.get(f.content_hash, False)) for f in files]


class Proposing:
    def __init__(self, catalog, write_lock: WriterLock, groups: Callable[..., list],
                 thresholds: Callable[[str], dict[str, float]],
                 resolve_model: Callable[[Optional[str]], str],
                 preset: Callable[[Optional[str]], list], reference_test: Callable[[], Callable]) -> None:
        self.catalog = catalog
        self._write_lock = write_lock
        self.groups = groups
        self.thresholds = thresholds
        self.resolve_model = resolve_model
        self.preset = preset
        self.reference_test = reference_test
        self.qualities = FrameQualities(catalog.engine, series.MEASURE)

    def proposals(self, preset: Optional[str] = None, tier: str = "near",
                  threshold: Optional[float] = None, model: Optional[str] = None,
                  on_progress: Optional[ProgressCallback] = None,
                  cancel: Optional[CancelToken] = None) -> list[tuple[object, keep.Proposal]]:
        rules = self.preset(preset)
        groups = self.groups(tier=tier, threshold=threshold, model=model,
                             on_progress=on_progress, cancel=cancel)
        is_reference = self.reference_test()
        # The similar tier is review-only: its groups hold different pictures of one scene, and
        # only the copies among them (the near groups inside) are proposed for removal.
        near = []
        if any(g.tier == "similar" for g in groups):
            cut = self.thresholds(self.resolve_model(model))["near"]
            near = self.groups(tier="near", threshold=max(cut, threshold or cut), model=model,
                               on_progress=on_progress, cancel=cancel)
        measured = {}
        if needs_quality(rules):
            measured = self.frame_qualities([g.files for g in (*groups, *near)], on_progress, cancel)
        if measured:   # each group holds the very files its proposal names, keeper included
            groups = [dataclasses.replace(g, files=tuple(with_best_frames(g.files, measured))) for g in groups]
            near = [dataclasses.replace(g, files=tuple(with_best_frames(g.files, measured))) for g in near]

        copies = [(frozenset(f.file_id for f in g.files), keep.propose(g.files, rules, is_reference)) for g in near]
        keep_frames = keep.series_keep(rules)
        out = []
        for g in groups:
            if keep_frames and g.series:
                out.append((g, keep.propose_series(self._ranked(g.files, measured), keep_frames, is_reference)))
                continue
            if g.tier != "similar":
                out.append((g, keep.propose(g.files, rules, is_reference)))
                continue
            ids = {f.file_id for f in g.files}
            out.append((g, keep.propose_scene(g.files, rules, is_reference,
                                              [p for members, p in copies if members <= ids])))
        return out

    def series(self, threshold: Optional[float] = None, model: Optional[str] = None,
               on_progress: Optional[ProgressCallback] = None,
               cancel: Optional[CancelToken] = None) -> list[tuple[object, list]]:
        """Burst series: the similar-tier groups whose capture times chain within
        series.SERIES_GAP seconds, each with its frames best first as (file, FrameQuality or
        None): ranked by series.rank, frames that could not be measured last."""
        groups = [g for g in self.groups(tier="similar", threshold=threshold, model=model,
                                         on_progress=on_progress, cancel=cancel) if g.series]
        measured = self.frame_qualities([g.files for g in groups], on_progress, cancel)
        return [(g, self._ranked(g.files, measured)) for g in groups]

    @staticmethod
    def _ranked(files: Sequence, measured: dict) -> list:
        """(file, FrameQuality or None), best first; frames that could not be measured last."""
        known = [(f, measured[f.content_hash]) for f in files if f.content_hash in measured]
        return series.rank(known) + [(f, None) for f in files if f.content_hash not in measured]

    def frame_qualities(self, groups: Sequence[Sequence], on_progress: Optional[ProgressCallback] = None,
                        cancel: Optional[CancelToken] = None) -> dict:
        """Content hash -> FrameQuality for the files of groups holding two or more different
        pictures (a group of byte-identical copies has nothing to compare); measures what the
        catalog does not hold yet. A picture that cannot be decoded is left out."""
        paths: dict[str, str] = {}
        for files in groups:
            hashes = {f.content_hash for f in files if f.content_hash}
            if len(hashes) < 2:
                continue
            for f in files:
                if f.content_hash and not getattr(f, "outside", False):
                    paths.setdefault(f.content_hash, f.path)
        stored = self.qualities.get(paths)
        out = {h: series.FrameQuality(*v) for h, v in stored.items()}
        missing = [h for h in paths if h not in out]
        if not missing:
            return out
        reporter = Reporter("measuring sharpness", len(missing), on_progress, cancel)
        fresh: dict[str, tuple] = {}
        try:
            for digest in missing:
                try:
                    q = series.measure(paths[digest])
                except (DecodeError, OSError, ValueError) as exc:
                    log.info("frame quality of %s: %s", paths[digest], exc)
                else:
                    out[digest] = q
                    fresh[digest] = (q.sharpness, q.exposure, q.noise)
                reporter.advance()   # no path as its message: regroup keeps the last message as its note
                if len(fresh) >= SAVE_EVERY:
                    self._save(fresh)
        finally:
            self._save(fresh)
        return out

    def _save(self, fresh: dict) -> None:
        if not fresh:
            return
        with self._write_lock.try_hold() as held:
            if held:
                try:
                    self.qualities.put(fresh)
                except Exception as exc:   # a cache: a failed write costs a measure next time
                    log.warning("could not keep frame quality in the catalog: %s", exc)
        fresh.clear()
