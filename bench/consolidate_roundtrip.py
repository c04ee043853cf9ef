"""Lossless consolidation through the real `lookalike` command: copies that lost their EXIF,
sharper originals that are smaller, metadata merged into the keepers, and undo.

In a scratch copy of PHOTOS, for every STEP-th photo it writes two copies beside the original:
  - case "blurred": the original is re-saved with no EXIF at all (it "lost" it), and
    exports/<name> is the same picture blurred (Gaussian 1.2) and enlarged 1.5x carrying a
    capture date and GPS: the keeper must be the smaller sharp original, and it must come out
    carrying the copy's date and GPS;
  - case "re-encoded" (every other one): the original carries date and GPS, and
    exports/<name> is a JPEG q80 re-encode with no EXIF: the original must be kept and keep them.
Then: `add`, `scan --model MODEL`, `mark --auto`, `clean --trash --merge-metadata [--in-file]
--yes --json`, and it checks each keeper (which file, and its date and GPS as
lookalike.engine.actions.metadata reads them, sidecar included). `undo` must give back the tree
byte-identical (SHA-256 of every path and its bytes). Prints the counts; exit 1 on any miss.

    python bench/consolidate_roundtrip.py [PHOTOS] [--model sscd] [--step 4] [--in-file]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageFilter

from lookalike.engine.actions import metadata

ROOT = Path(__file__).resolve().parents[1]


def tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode("utf-8") + b"\0" + path.read_bytes())
    return digest.hexdigest()


def exif(taken_at: str, gps: tuple[float, float]) -> Image.Exif:
    """Capture date in the Exif IFD, GPS as degrees/minutes/seconds with N/S/E/W refs."""
    tags = Image.Exif()
    tags.get_ifd(0x8769)[0x9003] = taken_at
    ifd = tags.get_ifd(0x8825)
    for ref, tag, value, signs in ((1, 2, gps[0], "NS"), (3, 4, gps[1], "EW")):
        whole, rest = divmod(abs(value) * 3600, 3600)
        minutes, seconds = divmod(rest, 60)
        ifd[ref] = signs[value < 0]
        ifd[tag] = (float(whole), float(minutes), round(seconds, 4))
    return tags


def make_cases(photos: Path, step: int) -> dict[str, dict]:
    """Writes the copies; returns original path -> what the keeper must be and carry."""
    cases = {}
    originals = sorted(p for p in photos.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    for n, path in enumerate(originals[::step]):
        img = Image.open(path).convert("RGB")
        taken = f"2019:{1 + n % 12:02d}:{1 + n % 27:02d} {8 + n % 10:02d}:{n % 60:02d}:05"
        gps = (round(-40 + (n * 7.31) % 80, 5), round(-120 + (n * 13.7) % 240, 5))
        copy = photos / "exports" / (path.stem + ".jpg")
        copy.parent.mkdir(exist_ok=True)
        kind = "blurred" if n % 2 == 0 else "re-encoded"
        target = path.with_suffix(".jpg")
        if kind == "blurred":
            path.unlink()
            img.save(target, "JPEG", quality=95)            # the original, its EXIF lost
            big = img.filter(ImageFilter.GaussianBlur(1.2)).resize((img.width * 3 // 2, img.height * 3 // 2),
                                                                     Image.LANCZOS)
            big.save(copy, "JPEG", quality=95, exif=exif(taken, gps))
        else:
            path.unlink()
            img.save(target, "JPEG", quality=95, exif=exif(taken, gps))
            img.save(copy, "JPEG", quality=80)
        cases[str(target)] = {"kind": kind, "copy": str(copy), "taken": taken.replace(":", "-", 2).replace(" ", "T"),
                              "gps": gps}
    return cases


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("photos", nargs="?", type=Path, default=ROOT.parent / "shared" / "photos")
    parser.add_argument("--model", default="sscd")
    parser.add_argument("--step", type=int, default=4, help="every STEP-th photo gets copies")
    parser.add_argument("--in-file", action="store_true", help="merge into the file, not a sidecar")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lookalike-consolidate-") as scratch:
        root = Path(scratch)
        photos = root / "photos"
        shutil.copytree(args.photos, photos, ignore=shutil.ignore_patterns("MANIFEST*"))
        cases = make_cases(photos, args.step)
        env = {**os.environ, "XDG_DATA_HOME": str(root / "xdg")}   # the trash stays in the scratch
        cli = [sys.executable, "-m", "lookalike.engine.cli", "--library", str(root / "library")]

        def run(*words: str, json_out: bool = False):
            done = subprocess.run(cli + list(words), capture_output=True, text=True, env=env)
            if done.returncode != 0:
                raise SystemExit(f"lookalike {' '.join(words)} exited {done.returncode}: {done.stderr.strip()}")
            return json.loads(done.stdout) if json_out else done.stdout

        run("add", str(photos))
        started = time.monotonic()
        run("scan", "--model", args.model)
        scanned = time.monotonic() - started
        before = tree_digest(photos)
        started = time.monotonic()
        marked = run("mark", "--auto").strip()
        report = run("clean", "--trash", "--merge-metadata", *(["--in-file"] if args.in_file else []),
                     "--yes", "--json", json_out=True)
        cleaned = time.monotonic() - started
        tally = {kind: {"cases": 0, "kept": 0, "date": 0, "gps": 0} for kind in ("blurred", "re-encoded")}
        misses = []
        for original, want in cases.items():
            row = tally[want["kind"]]
            row["cases"] += 1
            kept = os.path.exists(original) and not os.path.exists(want["copy"])
            row["kept"] += kept
            if not kept:
                misses.append(f"{Path(original).name} ({want['kind']}): keeper is not the original")
                continue
            got = metadata.read(original)
            row["date"] += got.taken_at == want["taken"]
            row["gps"] += bool(got.gps) and all(abs(a - b) < 1e-4 for a, b in zip(got.gps, want["gps"]))
            if got.taken_at != want["taken"] or not got.gps:
                misses.append(f"{Path(original).name} ({want['kind']}): date {got.taken_at}, GPS {got.gps}")
        run("undo")
        after = tree_digest(photos)
        print(f"{len(list(photos.rglob('*.jpg')))} photos after undo; scan {scanned:.0f} s; "
              f"{marked} mark + clean {cleaned:.1f} s; "
              f"{len(report.get('done', []))} files trashed, {len(report.get('merged_into', []))} keepers merged "
              f"({'in the file' if args.in_file else 'XMP sidecars'})")
        for kind, row in tally.items():
            print(f"  {kind:10} {row['cases']:3} groups: original kept {row['kept']}, "
                  f"capture date {row['date']}, GPS {row['gps']}")
        for miss in misses:
            print(f"  MISS {miss}")
        print(f"after undo the tree is {'byte-identical' if after == before else 'DIFFERENT'} (sha256 {after[:16]})")
        return 0 if after == before and not misses else 1


if __name__ == "__main__":
    sys.exit(main())
