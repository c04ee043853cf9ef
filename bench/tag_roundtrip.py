"""One tag taught from 5 example photos through the real `lookalike` command, then sorted into
folders and put back: the README's worked example, measured end to end.

In a scratch folder: a copy of PHOTOS, a fresh library, `scan --model MODEL`, and for each
category named (bench/tag_categories.csv labels) a tag defined alone from its first 5 photos by
name (`tag define`), read back with `tag list --json` and `tag show --json`. Against the labels
it prints, on the photos that were not examples, how many the tag returned, how many are right,
precision and recall, and the in-app estimate. Each tag is deleted before the next is taught,
so none is a negative for another. Then the last category is taught again, `organise --into
DIR --yes` moves its photos and `undo` puts them back; the SHA-256 of every file under the
copied folder (paths and bytes) before and after must match, and DIR must be gone.

    python bench/tag_roundtrip.py ../shared/photos --model sscd flowers-plants buildings-city
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXAMPLES = 5


def tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode("utf-8") + b"\0" + path.read_bytes())
    return digest.hexdigest()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("photos", type=Path)
    parser.add_argument("categories", nargs="+")
    parser.add_argument("--model", default="sscd")
    args = parser.parse_args(argv)
    labels = {row["file"]: row["category"] for row in csv.DictReader(open(HERE / "tag_categories.csv"))}
    with tempfile.TemporaryDirectory(prefix="lookalike-tags-") as scratch:
        root = Path(scratch)
        photos = root / "photos"
        shutil.copytree(args.photos, photos)
        cli = [sys.executable, "-m", "lookalike.engine.cli", "--library", str(root / "library")]

        def run(*words: str, json_out: bool = False):
            done = subprocess.run(cli + list(words), capture_output=True, text=True)
            if done.returncode != 0:
                raise SystemExit(f"lookalike {' '.join(words)} exited {done.returncode}: {done.stderr.strip()}")
            return json.loads(done.stdout) if json_out else done.stdout

        run("add", str(photos))
        run("scan", "--model", args.model)
        for category in args.categories:
            members = sorted(name for name, label in labels.items() if label == category)
            examples = members[:EXAMPLES]
            run("tag", "define", category, *sum((["--example", str(photos / n)] for n in examples), []))
            [info] = [t for t in run("tag", "list", "--json", json_out=True)["tags"] if t["name"] == category]
            shown = run("tag", "show", category, "--limit", "100000", "--json", json_out=True)["photos"]
            got = {Path(p["path"]).name for p in shown} - set(examples)
            want = set(members) - set(examples)
            right = len(got & want)
            quality = info["quality"] or {}
            print(f"{category}: {len(members)} labelled of {len(labels)}, {EXAMPLES} examples; "
                  f"{len(got)} other photos at the cut-off {info['cutoff']:.2f}, {right} of them right: "
                  f"precision {right / len(got) if got else 0:.2f}, recall {right / len(want):.2f} "
                  f"(in-app estimate: held-out recall {quality.get('recall', 0):.2f}, "
                  f"takes {quality.get('takes', 0):.2f} of other photos)")
            if category != args.categories[-1]:
                run("tag", "delete", category)
        before = tree_digest(photos)
        into = root / "sorted"
        report = run("organise", "--into", str(into), "--tag", args.categories[-1], "--yes", "--json",
                     json_out=True)
        moved = len(report.get("done", []))
        during = tree_digest(photos)
        run("undo")
        after = tree_digest(photos)
        same, gone = before == after, not into.exists()
        print(f"organise moved {moved} photos into {into.name}/{args.categories[-1]}/ "
              f"(tree changed: {during != before}); after undo the tree is "
              f"{'byte-identical' if same else 'DIFFERENT'} (sha256 {after[:16]}) and the sort folder "
              f"{'is gone' if gone else 'remains'}")
        return 0 if same and gone and moved else 1


if __name__ == "__main__":
    sys.exit(main())
