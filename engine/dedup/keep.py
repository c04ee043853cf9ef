"""Keep-best rules: which copy of a duplicate group to keep, and why.

Owns: the rules, the built-in presets, parsing rule specs, and the proposal for a group. A
preset is an ordered chain: each rule only breaks the ties the rules before it left. Each
proposal names the rule that decided it ("kept: 4032×3024 beats 2016×1512"). Files in
reference folders are never proposed for removal. Must not: touch files or the catalog.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Optional, Sequence

from ..errors import UsageError
from ..paths import inside
from ..sizes import human_size
from . import series

# Camera originals first; WebP and AVIF are mostly lossy web re-encodes, so they rank below JPEG.
DEFAULT_FORMATS = ["RAW", "DNG", "HEIF", "HEIC", "TIFF", "PNG", "JPEG", "WEBP", "AVIF", "BMP", "GIF"]
COPY_LIKE = re.compile(r"(^|[^a-z])(copy|copies|backup|backups|export|exports|duplicate|duplicates)"
                       r"([^a-z]|$)|\(\d+\)$|[ _-]\d+$", re.IGNORECASE)


def _sizes(a: int, b: int) -> tuple[str, str]:
    """Both sizes, precise enough to differ on screen."""
    if human_size(a) != human_size(b):
        return human_size(a), human_size(b)
    return f"{a:,} bytes", f"{b:,} bytes"


def _when(f) -> Optional[float]:
    try:
        return datetime.fromisoformat(f.taken_at).timestamp() if f.taken_at else None
    except ValueError:
        return None


def _format_rank(f, params) -> int:
    """The best-ranked format of the photo's unit (a RAW+JPEG pair ranks as its RAW)."""
    order = [x.upper() for x in params.get("order", DEFAULT_FORMATS)]
    ranks = [len(order)]
    for fmt in getattr(f, "formats", None) or (f.format,):
        fmt = (fmt or "").upper()
        fmt = "HEIF" if fmt == "HEIC" and "HEIF" in order and "HEIC" not in order else fmt
        ranks.append(order.index(fmt) if fmt in order else len(order))
    return -min(ranks)


def _folder_rank(f, params) -> int:
    folders = params.get("order", [])
    for i, folder in enumerate(folders):
        if inside(f.path, folder):
            return -i
    return -len(folders)


def _explain_quality(k, o, p) -> str:
    kq, oq = k.quality, o.quality
    if oq is None:
        return "the other could not be measured for sharpness"
    if series.clearly_sharper(kq, oq):
        return f"sharper ({kq.sharpness / max(oq.sharpness, 1e-9):.1f}× the fine detail of the other)"
    if series.clearly_noisier(oq, kq):
        return f"less noisy (noise {kq.noise:.1f} against {oq.noise:.1f})"
    return "as sharp as the best, the other is not"


def copy_like(path: str) -> Optional[str]:
    """The path part that looks like a copy ("backup", "IMG_1 copy", "photo (2)"), if any."""
    parts = path.replace("\\", "/").split("/")
    stem = parts[-1].rsplit(".", 1)[0]
    for part in parts[:-1] + [stem]:
        if part and COPY_LIKE.search(part):
            return part
    return None


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    key: Callable          # (file, params) -> comparable; larger is better
    explain: Callable      # (keeper, other, params) -> str


RULES: dict[str, Rule] = {r.name: r for r in (
    # Among the best of its group (dedup/series.among_best): not clearly blurrier than the
    # sharpest, nor clearly noisier; frames within the margins tie, for the next rule.
    Rule("sharpness", "sharpest and least noisy, within a margin (measured once per picture)",
         lambda f, p: f.best_frame is not False,
         _explain_quality),
    Rule("resolution", "highest resolution",
         lambda f, p: (f.width or 0) * (f.height or 0),
         lambda k, o, p: f"{k.width}×{k.height} beats {o.width}×{o.height}"),
    Rule("file_size", "largest file",
         lambda f, p: f.bytes,
         lambda k, o, p: "{} beats {}".format(*_sizes(k.bytes, o.bytes))),
    Rule("formats", "preferred formats, in order",
         _format_rank,
         lambda k, o, p: f"{k.format} is preferred over {o.format}"),
    Rule("metadata", "richest metadata (GPS, then EXIF fields)",
         lambda f, p: (bool(f.has_gps), f.exif_fields or 0),
         lambda k, o, p: (f"has GPS and {k.exif_fields or 0} EXIF fields, the other "
                          f"{'has GPS and ' if o.has_gps else ''}{o.exif_fields or 0}")),
    Rule("oldest", "earliest capture time",
         lambda f, p: (_when(f) is not None, -(_when(f) or 0)),
         lambda k, o, p: f"taken {k.taken_at or '?'}, before {o.taken_at or 'an unknown time'}"),
    Rule("newest", "latest capture time",
         lambda f, p: (_when(f) is not None, _when(f) or 0),
         lambda k, o, p: f"taken {k.taken_at or '?'}, after {o.taken_at or 'an unknown time'}"),
    Rule("folders", "preferred folders, in order",
         _folder_rank,
         lambda k, o, p: f"it is in a preferred folder ({k.path.rsplit('/', 1)[0]})"),
    # Burst series (similar-tier groups shot within seconds): keep the best N frames, ranked by
    # dedup/series.rank. Outside a series it decides nothing; the proposal is propose_series.
    Rule("series", "burst series: keep the best N frames (series=N, 1 by default)",
         lambda f, p: 0,
         lambda k, o, p: "the better frame of a burst series"),
    Rule("path", "not in a copy/backup/export folder, then the shortest path",
         lambda f, p: (copy_like(f.path) is None, -len(f.path)),
         lambda k, o, p: (f"the other is in '{copy_like(o.path)}'" if copy_like(o.path) and not copy_like(k.path)
                          else "shorter path")),
)}

BUILTIN_PRESETS: dict[str, list] = {
    "default": [{"rule": "sharpness"}, {"rule": "resolution"}, {"rule": "formats", "order": DEFAULT_FORMATS},
                {"rule": "metadata"}, {"rule": "oldest"}, {"rule": "file_size"}, {"rule": "path"}],
    "bursts": [{"rule": "series", "keep": 1}, {"rule": "sharpness"}, {"rule": "resolution"},
               {"rule": "metadata"}, {"rule": "oldest"}, {"rule": "file_size"}, {"rule": "path"}],
    "largest-file": [{"rule": "file_size"}, {"rule": "resolution"}, {"rule": "path"}],
    "oldest": [{"rule": "oldest"}, {"rule": "resolution"}, {"rule": "file_size"}, {"rule": "path"}],
    "newest": [{"rule": "newest"}, {"rule": "resolution"}, {"rule": "file_size"}, {"rule": "path"}],
}


def parse_rule(text: str) -> dict:
    """'resolution', 'formats=HEIC,PNG,JPEG' or 'folders=/a,/b' -> a rule spec."""
    name, _, value = text.partition("=")
    name = name.strip()
    if name not in RULES:
        raise UsageError(f"Unknown keep rule {name!r}; choose from: {', '.join(RULES)}.")
    spec = {"rule": name}
    if name == "series":
        spec["keep"] = _frames_to_keep(value or "1")
    elif value:
        spec["order"] = [v.strip() for v in value.split(",") if v.strip()]
    return spec


def _frames_to_keep(value) -> int:
    try:
        n = int(str(value).strip())
    except ValueError:
        n = 0
    if n < 1:
        raise UsageError(f"series={value} keeps no frame: a burst series keeps at least its best one.")
    return n


def validate(rules: list) -> list:
    if not rules:
        raise UsageError("A preset needs at least one rule.")
    for spec in rules:
        if spec.get("rule") not in RULES:
            raise UsageError(f"Unknown keep rule {spec.get('rule')!r}.")
        if spec["rule"] == "series":
            _frames_to_keep(spec.get("keep", 1))
    return rules


def series_keep(rules: Sequence[dict]) -> Optional[int]:
    """N when the preset keeps the best N frames of each burst series, else None."""
    for spec in rules:
        if spec.get("rule") == "series":
            return _frames_to_keep(spec.get("keep", 1))
    return None


@dataclass(frozen=True)
class Proposal:
    keeper: object             # the DuplicateFile to keep
    remove: tuple              # DuplicateFiles proposed for removal
    protected: tuple           # files in reference folders (never removed)
    reason: str                # "kept: 4032×3024 beats 2016×1512"


def propose(files: Sequence, rules: list, is_reference: Callable[[str], bool],
            review_only: bool = False) -> Proposal:
    """The keeper and what to remove. `review_only` (the similar tier: different pictures of one
    scene) still names the best file but proposes nothing for removal; only the user decides."""
    def chain_key(f):
        return tuple(RULES[s["rule"]].key(f, s) for s in rules)

    ranked = sorted(files, key=lambda f: f.path)
    ranked.sort(key=chain_key, reverse=True)
    def in_reference(f) -> bool:   # any name of it (hardlinks) in a reference folder
        return any(is_reference(p) for p in getattr(f, "names", (f.path,)))

    def outside(f) -> bool:        # a followed link out of the library: never kept in its place
        return bool(getattr(f, "outside", False))

    protected = tuple(f for f in ranked if in_reference(f))
    inside = [f for f in ranked if not outside(f)]
    keeper = protected[0] if protected else (inside or ranked)[0]
    others = [f for f in ranked if f is not keeper]
    remove = tuple(f for f in others if not in_reference(f) and not outside(f))
    if protected:
        reason = f"kept: it is in a reference folder"
    elif not others:
        reason = "kept: the only file"
    elif keeper is not ranked[0]:
        reason = "kept: the preferred copy lies outside the library's folders"
    else:
        reason = _reason(keeper, others[0], rules)
    if review_only:
        remove = ()
        reason += " (similar scenes: for review, nothing is marked for removal)"
    return Proposal(keeper, remove, protected, reason)


def propose_scene(files: Sequence, rules: list, is_reference: Callable[[str], bool],
                  copies: Sequence[Proposal]) -> Proposal:
    """A similar-tier group (one scene, several pictures) may hold copies of one picture:
    `copies` are the proposals of the near/exact groups inside it. Their extras are proposed
    for removal, exactly as when the near tier is shown; the scene's other pictures never are."""
    scene = propose(files, rules, is_reference, review_only=True)
    here = {f.file_id: f for f in files}
    remove = tuple(here[f.file_id] for p in copies for f in p.remove
                   if f.file_id in here and f.file_id != scene.keeper.file_id)
    if not remove:
        return scene
    reason = scene.reason.replace("nothing is marked for removal", "only copies of one picture are "
                                  "marked for removal")
    return Proposal(scene.keeper, remove, scene.protected, reason)


def propose_series(ranked: Sequence[tuple[object, Optional[series.FrameQuality]]], n: int,
                   is_reference: Callable[[str], bool]) -> Proposal:
    """A burst series ranked best first ((file, quality or None)): the best frame is the
    keeper, the next n-1 are kept too (neither marked), the rest are proposed for removal;
    never a file in a reference folder or outside the library. Unmeasured frames are only
    removed when some frame was measured."""
    files = [f for f, _ in ranked]
    protected = tuple(f for f in files if any(is_reference(p) for p in getattr(f, "names", (f.path,))))
    if not any(q is not None for _, q in ranked):
        return Proposal(files[0], (), protected, "kept: no frame of this burst series could be measured, "
                                                 "so nothing is marked for removal")
    keeper = files[0]
    untouchable = {id(f) for f in protected}
    remove = tuple(f for f, mark in series.keep_best(ranked, n) if mark == "remove"
                   and id(f) not in untouchable and not getattr(f, "outside", False))
    best = ranked[0][1]
    reason = (f"kept: the best {'frame' if n == 1 else f'{n} frames'} of a burst series of {len(files)}"
              + (f" ({best.describe()})" if best is not None else ""))
    return Proposal(keeper, remove, protected, reason)


def _reason(keeper, runner_up, rules: list) -> str:
    for spec in rules:
        rule = RULES[spec["rule"]]
        if rule.key(keeper, spec) != rule.key(runner_up, spec):
            return f"kept: {rule.explain(keeper, runner_up, spec)}"
    return "kept: every rule ties, so the first by path"
