"""Flat cluster: a regroup over many look-alike pictures (one scene, small differences each).

Makes N synthetic pictures that share their whole structure (one background, one set of
shapes) and differ by a few small shapes of their own, scans them with a model (SSCD by
default), then times a near-tier regroup and counts the candidate pairs the geometric check
is asked to verify. Issue 10 measured 800 such pictures: 319k candidate pairs, each checked,
and a close that waited minutes. Verdicts are cached in the catalog, so each run starts from a
fresh library.

    python bench/flat_cluster.py [--photos 800] [--model sscd] [--keep DIR]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def look_alikes(folder: Path, n: int, seed: int = 0, size=(480, 360)) -> None:
    import cv2

    rng = np.random.default_rng(seed)
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.zeros((h, w, 3), np.float32)
    for c in range(3):
        base[..., c] = 120 + 50 * np.sin((c + 1) * 6.28 * xx / w + (3 - c) * 6.28 * yy / h)
    base += cv2.resize(rng.normal(0, 30, (h // 8, w // 8, 3)).astype(np.float32), (w, h))
    for _ in range(14):
        x, y, r = int(rng.integers(0, w)), int(rng.integers(0, h)), int(rng.integers(10, 60))
        cv2.circle(base, (x, y), r, tuple(float(v) for v in rng.integers(0, 255, 3)), -1)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        own = np.random.default_rng(seed * 100_000 + i + 1)
        img = base.copy()
        for _ in range(4):
            x, y, r = int(own.integers(0, w)), int(own.integers(0, h)), int(own.integers(8, 30))
            cv2.rectangle(img, (x, y), (x + r, y + r), tuple(float(v) for v in own.integers(0, 255, 3)), -1)
        img += own.normal(0, 6, img.shape).astype(np.float32)
        Image.fromarray(img.clip(0, 255).astype(np.uint8)).save(folder / f"look-alike {i:04}.jpg", quality=90)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--photos", type=int, default=800)
    parser.add_argument("--model", default="sscd")
    parser.add_argument("--keep", metavar="DIR", help="work here instead of a temporary folder")
    args = parser.parse_args(argv)

    from lookalike.engine import Library
    from lookalike.engine.dedup import checks as pair_checking

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="lookalike-flat-"))
    photos = work / "photos"
    if not photos.is_dir():
        look_alikes(photos, args.photos)
    counted = {}
    original = pair_checking.verified

    def counting(catalog, records, pairs, near, on_progress=None, cancel=None):
        counted["pairs"] = len(pairs)
        counted["doubtful"] = sum(1 for _, _, s in pairs if near <= s < pair_checking.SURE)
        checks = []

        def progress(p):
            if p.phase == "verifying":
                checks.append(p.total)
            if on_progress:
                on_progress(p)
        out = original(catalog, records, pairs, near, progress, cancel)
        counted["checked"] = checks[0] if checks else 0
        return out

    pair_checking.verified = counting
    with Library.open(work / "lib") as library:
        library.add_folder(photos)
        started = time.monotonic()
        library.scan(model=args.model)
        scanned = time.monotonic() - started
        started = time.monotonic()
        groups = library.duplicates(tier="near")
        regroup = time.monotonic() - started
    largest = max((len(g.files) for g in groups), default=0)
    print(f"{args.photos} look-alike pictures, model {args.model}: scan {scanned:.1f} s")
    print(f"regroup {regroup:.1f} s: {counted.get('pairs', 0)} pairs above the lowest threshold, "
          f"{counted.get('doubtful', 0)} doubtful (need a geometric check), "
          f"{counted.get('checked', 0)} checked; {len(groups)} near groups, largest {largest} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
