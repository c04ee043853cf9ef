"""`lookalike explain A B` on real photos and edited copies of them, through the real command.

For every SOURCES-th photo of PHOTOS (so the photos come from every source package), a copy is
made that is cropped off-centre, rotated, shrunk and re-encoded (a different crop, angle and
quality per photo, from a fixed seed), and `lookalike explain ORIGINAL COPY --json` must say
"copy" (or "mirror" for the mirrored ones), or abstain with "unsure" where a picture has too
little texture to judge; the same photo against the next chosen photo must never say copy.
Prints a table and the counts; exits 1 if any pair is judged wrongly.
With --out DIR it keeps the first copy's overlay as DIR/match-overlay.png, and with
--patch-model-dir it also writes DIR/patch-map.png (`explain --patch-map --beside` on that
photo and its copy: one shared PCA) with the DINOv2 found there.

    python bench/explain_demo.py ../shared/photos --every 9 --out docs/screenshots
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageOps

HERE = Path(__file__).resolve().parent
LOOKALIKE = [sys.executable, "-m", "lookalike.engine.cli"]


def edited(source: Path, target: Path, rng: random.Random, mirror: bool) -> str:
    """An off-centre crop, turned, shrunk and re-encoded; says what was done."""
    with Image.open(source) as img:
        img = ImageOps.exif_transpose(img).convert("RGB")
    w, h = img.size
    angle = rng.uniform(5, 15) * rng.choice((-1, 1))
    keep = rng.uniform(0.6, 0.8)
    left, top = rng.uniform(0, 1 - keep) * w, rng.uniform(0, 1 - keep) * h
    turned = img.rotate(angle, resample=Image.BICUBIC)
    copy = turned.crop((round(left), round(top), round(left + keep * w), round(top + keep * h)))
    # Shrunk, but kept at 320 px or more on its longest side: a thumbnail-sized copy has too
    # few keypoints to judge (the verifier says "unsure" and the embedding decides).
    scale = min(1.0, max(rng.uniform(0.4, 0.8), 320 / max(copy.size)))
    copy = copy.resize((max(64, round(copy.width * scale)), max(64, round(copy.height * scale))), Image.LANCZOS)
    if mirror:
        copy = ImageOps.mirror(copy)
    quality = rng.randint(45, 85)
    copy.save(target, "JPEG", quality=quality)
    return (f"crop {keep:.0%} at ({left / w:.2f}, {top / h:.2f}), turned {angle:+.1f}°, x{scale:.2f}, "
            f"q{quality}" + (", mirrored" if mirror else ""))


def explain(library: Path, a: Path, b: Path, out: Path, extra=()) -> dict:
    done = subprocess.run([*LOOKALIKE, "--library", str(library), *extra, "explain", str(a), str(b),
                           "--out", str(out), "--json"], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"explain failed ({done.returncode}): {done.stderr.strip()}")
    return json.loads(done.stdout)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("photos", type=Path)
    parser.add_argument("--every", type=int, default=9, help="take every N-th photo (default 9)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", type=Path, help="folder for match-overlay.png (and patch-map.png)")
    parser.add_argument("--patch-model-dir", type=Path, help="model folder with DINOv2 for patch-map.png")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    photos = sorted(p for p in args.photos.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))[::args.every]
    wrong = 0
    kinds: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        library = scratch / "library"
        print("| photo | copy made | verdict | aligned | inliers | against the next photo |")
        print("|---|---|---|--:|--:|---|")
        for i, source in enumerate(photos):
            mirror = i % 4 == 3
            copy = scratch / f"{source.stem} copy.jpg"
            made = edited(source, copy, rng, mirror)
            result = explain(library, source, copy, scratch / f"{i}.png")
            other = explain(library, source, photos[(i + 1) % len(photos)], scratch / f"{i} other.png")
            expected = "mirror" if mirror else "copy"
            ok = result["verdict"] in (expected, "unsure") and other["verdict"] not in ("copy", "mirror")
            wrong += not ok
            kinds[result["verdict"]] = kinds.get(result["verdict"], 0) + 1
            print(f"| {source.name} | {made} | {result['verdict']}{'' if ok else ' (WRONG)'} | "
                  f"{result['aligned']:.2f} | {result['inliers']} | {other['verdict']} |")
            if i == 0 and args.out:
                args.out.mkdir(parents=True, exist_ok=True)
                shutil.copy(scratch / f"{i}.png", args.out / "match-overlay.png")
                if args.patch_model_dir:
                    patch = scratch / "patch-map.png"
                    done = subprocess.run([*LOOKALIKE, "--library", str(library), "--model-dir",
                                           str(args.patch_model_dir), "explain", str(source), str(copy),
                                           "--patch-map", "--beside", "--out", str(patch)],
                                          capture_output=True, text=True)
                    if done.returncode != 0:
                        raise SystemExit(f"patch map failed: {done.stderr.strip()}")
                    shutil.copy(patch, args.out / "patch-map.png")
    print(f"\n{len(photos)} photos, {wrong} judged wrongly; verdicts on the copies: "
          f"{', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))} (unsure: too little texture to judge)")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
