"""Frame-quality bench: does engine/dedup/series.py rank a sharp frame above its blurred
versions, and leave re-encodes and exposure changes as ties, on real photos?

For every photo in ../shared/photos it makes blurred variants (Gaussian blur at two strengths,
a 7-pixel motion blur, a blurred copy enlarged 1.5x: "a sharper original is smaller") that
must rank below the photo, and re-encodes / brightness / contrast changes that must tie (neither
clearly sharper, by series.SHARPER). Noisy variants are reported apart: noise is ranked by the
noise measure, not by sharpness. "keep ok" asks the keep rule's question (series.among_best):
is the original the one kept (blurred, noisy), or are both as good (ties)? Writes
bench/out/series.json and prints a table.

    python bench/series.py [--photos DIR] [--limit N]
"""
from __future__ import annotations

import argparse
import io
import json
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image, ImageEnhance, ImageFilter

from lookalike.engine.dedup import series

ROOT = Path(__file__).resolve().parents[1]


def _jpeg(img, quality):
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


def _motion(img, length=7):
    import cv2

    kernel = np.zeros((length, length), np.float32)
    kernel[length // 2, :] = 1 / length
    return Image.fromarray(cv2.filter2D(np.asarray(img), -1, kernel))


def _noise(img, sigma, seed):
    rng = np.random.default_rng(seed)
    noisy = np.asarray(img, np.float32) + rng.normal(0, sigma, (img.height, img.width, 1))
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))


BLURRED = {
    "gaussian 1.0": lambda im, s: im.filter(ImageFilter.GaussianBlur(1.0)),
    "gaussian 2.0": lambda im, s: im.filter(ImageFilter.GaussianBlur(2.0)),
    "motion 7 px": lambda im, s: _motion(im),
    "blurred, enlarged 1.5x": lambda im, s: im.filter(ImageFilter.GaussianBlur(1.2)).resize(
        (im.width * 3 // 2, im.height * 3 // 2), Image.LANCZOS),
}
TIES = {
    "JPEG q92": lambda im, s: _jpeg(im, 92),
    "JPEG q75": lambda im, s: _jpeg(im, 75),
    "brighter 15%": lambda im, s: ImageEnhance.Brightness(im).enhance(1.15),
    "contrast -15%": lambda im, s: ImageEnhance.Contrast(im).enhance(0.85),
}
NOISY = {
    "noise sigma 4": lambda im, s: _noise(im, 4, s),
    "noise sigma 8": lambda im, s: _noise(im, 8, s),
}


def _one(args):
    index, path = args
    img = Image.open(path).convert("RGB")
    base = series.measure_pixels(series.grey(img))
    out = {"photo": path.name, "base": base.__dict__, "variants": {}}
    for table in (BLURRED, TIES, NOISY):
        for name, edit in table.items():
            q = series.measure_pixels(series.grey(edit(img, index)))
            best = series.among_best([base, q])
            out["variants"][name] = {**q.__dict__, "ratio": base.sharpness / max(q.sharpness, 1e-9),
                                     "noise_ratio": q.noise / max(base.noise, 0.1),
                                     "keeps": "tie" if all(best) else "base" if best[0] else "edit"}
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", default=str(ROOT.parent / "shared" / "photos"))
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args(argv)
    paths = sorted(p for p in Path(args.photos).iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    paths = paths[: args.limit or None]
    with ProcessPoolExecutor(2) as pool:
        rows = list(pool.map(_one, enumerate(paths)))
    report = {"photos": len(rows), "margin": series.SHARPER, "edits": {}}
    print(f"{len(rows)} photos; 'clearly sharper' = sharpness ratio > {series.SHARPER}")
    print(f"{'edit':26} {'expect':7} {'ok':>6} {'keep ok':>7} {'ratio p5':>9} {'median':>7} {'p95':>7}"
          f"  noise base->edit (ratio p5..p95)")
    for expect, table in (("below", BLURRED), ("tie", TIES), ("noisier", NOISY)):
        for name in table:
            ratios = np.array([r["variants"][name]["ratio"] for r in rows])
            if expect == "below":
                ok = ratios > series.SHARPER
            elif expect == "tie":
                ok = (ratios <= series.SHARPER) & (ratios >= 1 / series.SHARPER)
            else:
                ok = np.array([r["variants"][name]["noise"] > r["base"]["noise"] for r in rows])
            keeps = np.array([r["variants"][name]["keeps"] == ("tie" if expect == "tie" else "base")
                              for r in rows])
            nr5, nr95 = np.percentile([r["variants"][name]["noise_ratio"] for r in rows], [5, 95])
            noise = np.median([r["variants"][name]["noise"] for r in rows])
            base_noise = np.median([r["base"]["noise"] for r in rows])
            p5, med, p95 = np.percentile(ratios, [5, 50, 95])
            report["edits"][name] = {"expect": expect, "ok": float(ok.mean()), "ratio_p5": p5,
                                     "ratio_median": med, "ratio_p95": p95,
                                     "keep_ok": float(keeps.mean()), "noise_ratio_p5": nr5, "noise_ratio_p95": nr95,
                                     "failures": [r["photo"] for r, good in zip(rows, ok) if not good]}
            print(f"{name:26} {expect:7} {ok.mean():6.1%} {keeps.mean():7.1%} {p5:9.3f} {med:7.3f} {p95:7.3f}  "
                  f"{base_noise:.2f}->{noise:.2f} ({nr5:.2f}..{nr95:.2f})")
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "series.json").write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
