"""By-example tag quality on labelled photos, and the time to recompute tags at scale.

Quality, on two sets: "categories" (the folder's photos, labelled by bench/tag_categories.csv)
and "families" (the folder's photos plus, for 8 source photos drawn with --family-seed, the 20
edited copies of bench/edits.py: each source and its copies are one label, the other photos
distractors; the seeds used while choosing the engine's teaching rule were 5 and 11, so the
default 23 is a set the rule never saw). For each set and model, a fresh library over a
scratch folder, scanned once. For every label with at least 11 photos and each k in 3, 5, 10,
R seeded draws of k example photos from it each define a tag (examples only, no
counter-examples), as a user would. On the photos not used as examples it measures the
precision, recall and F1 of the photos at the tag's cut-off against the labels, the share of
the other photos it takes, and the average precision of the full ranking (every photo's
score), next to the cross-validated estimate the engine reports (TagInfo.quality: recall and
share taken; its precision, F1 and AP are lower bounds), chance level (the category's share) and the
time to define a tag. The same draws are used for every model
(and, with --l2, for each classifier strength tried).

Recompute: synthetic 512-d unit vectors (n = 100k and 1M by default): the median of 5 runs of
phrase.score_matrix for 12 phrase tags of 5 phrases each against 8 background sentences, and
of one example tag's predict over the same matrix.

    python bench/tags.py ../shared/photos --model sscd --model phash --json bench/out/tags.json
    (--set categories / --set families runs one of the two)
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import functools
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CATEGORIES = ROOT / "bench" / "tag_categories.csv"
IMAGES = (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".bmp", ".heic")
KS = (3, 5, 10)
MIN_MEMBERS = 11
METRICS = ("precision", "recall", "f1", "takes", "ap")
FAMILY_SOURCES = 8


def load_labels(path: Path) -> dict[str, str]:
    with open(path, newline="") as fh:
        return {row["file"]: row["category"].strip() for row in csv.DictReader(fh)}


def average_precision(ranked_hits: list[bool]) -> float:
    hits = np.asarray(ranked_hits, dtype=bool)
    if not hits.any():
        return 0.0
    return float((np.cumsum(hits) / np.arange(1, len(hits) + 1))[hits].mean())


def draws(labels: dict[str, str], files: list[str], repeats: int, seed: int):
    """(category, k, draw, example files): the same for every model."""
    for category in sorted({c for c in labels.values() if c}):
        members = sorted(f for f in files if labels.get(f) == category)
        if len(members) < MIN_MEMBERS:
            continue
        for k in KS:
            if k >= len(members):
                continue
            for r in range(repeats):
                yield category, k, r, random.Random(f"{seed}/{category}/{k}/{r}").sample(members, k)


def one_tag(lib, folder: Path, labels, files, category, examples) -> dict:
    """Defines a tag from `examples`, measures it on the other photos, deletes it."""
    name = "bench-tag"
    start = time.perf_counter()
    info = lib.define_tag(name, examples=[str(folder / f) for f in examples])
    define_ms = (time.perf_counter() - start) * 1e3
    start = time.perf_counter()
    everything = lib.tag_photos(name, min_score=0.0)
    read_ms = (time.perf_counter() - start) * 1e3
    at_cutoff = {Path(p.path).name for p in lib.tag_photos(name)}
    lib.delete_tag(name)
    score = {Path(p.path).name: float(p.score) for p in everything}
    rest = [f for f in files if f not in examples]
    positives = {f for f in rest if labels.get(f) == category}
    ranked = sorted(rest, key=lambda f: -score.get(f, -np.inf))
    found = at_cutoff - set(examples)
    tp = len(found & positives)
    precision = tp / len(found) if found else 0.0
    recall = tp / len(positives)
    f1 = 2 * tp / (len(found) + len(positives))
    takes = (len(found) - tp) / max(len(rest) - len(positives), 1)
    q = info.quality
    estimate = None if q is None else {"precision": q.precision, "recall": q.recall, "f1": q.f1,
                                       "takes": q.takes, "ap": q.average_precision, "negatives": q.negatives}
    return {"precision": precision, "recall": recall, "f1": f1, "takes": takes,
            "ap": average_precision([f in positives for f in ranked]),
            "found": len(found), "rest": len(rest), "positives": len(positives),
            "unscored": sum(f not in score for f in rest), "cutoff": info.cutoff,
            "examples_at_cutoff": len(at_cutoff & set(examples)), "estimate": estimate,
            "define_ms": define_ms, "read_ms": read_ms, "kind": info.kind}


@contextlib.contextmanager
def regularised(l2: float | None):
    """The engine's classifier with another L2 strength (None: as shipped). out_of_fold calls
    the module's fit, so patching the module covers training and cross-validation alike."""
    from lookalike.engine.tags import classifier

    shipped = classifier.fit
    if l2 is not None:
        classifier.fit = functools.partial(shipped, l2=l2)
    try:
        yield
    finally:
        classifier.fit = shipped


def families(folder: Path, photos: Path, seed: int) -> dict[str, str]:
    """Copies the folder's photos, adds the edits of FAMILY_SOURCES of them; returns labels."""
    from PIL import Image

    sys.path.insert(0, str(ROOT / "bench"))
    from edits import EDITS

    files = sorted(f.name for f in folder.iterdir() if f.suffix.lower() in IMAGES)
    labels = {f: "" for f in files}
    for source in random.Random(seed).sample(files, FAMILY_SOURCES):
        label = f"family-{Path(source).stem}"
        labels[source] = label
        with Image.open(folder / source) as opened:
            picture = opened.convert("RGB")
        for i, (edit, apply) in enumerate(EDITS.items()):
            copy, fmt = apply(picture, np.random.default_rng(seed * 100 + i))
            name = f"{Path(source).stem}.{edit}.{fmt}"
            copy.save(photos / name)
            labels[name] = label
    return labels


def quality(folder: Path, models: list[str], repeats: int, seed: int, sets: list[str],
            family_seed: int, l2s: list[float] | None = None) -> dict:
    from lookalike.engine import Library

    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for set_name in sets:
            photos = Path(tmp) / set_name
            photos.mkdir()
            for f in sorted(folder.iterdir()):
                if f.suffix.lower() in IMAGES:
                    shutil.copy2(f, photos / f.name)
            labels = load_labels(CATEGORIES) if set_name == "categories" else families(folder, photos, family_seed)
            files = sorted(f.name for f in photos.iterdir())
            missing = sorted(set(files) - set(labels))
            if missing:
                print(f"not in {CATEGORIES.name} (taken as unlabelled): {', '.join(missing)}", file=sys.stderr)
            plan = list(draws(labels, files, repeats, seed))
            for model in models:
                with Library.open(Path(tmp) / f"lib-{set_name}-{model}", backup=False) as lib:
                    lib.settings.text_search = False
                    lib.add_folder(photos)
                    start = time.perf_counter()
                    lib.scan(model=model)
                    scan_s = time.perf_counter() - start
                    for l2 in l2s or [None]:
                        key = f"{set_name}: {model}" + ("" if l2 is None else f", L2 {l2:g}")
                        runs = []
                        with regularised(l2):
                            for category, k, r, examples in plan:
                                result = one_tag(lib, photos, labels, files, category, examples)
                                runs.append({"category": category, "k": k, "draw": r, "examples": examples,
                                             **result})
                        counts = {c: sum(1 for f in files if labels.get(f) == c)
                                  for c in sorted({v for v in labels.values() if v})}
                        out[key] = {"set": set_name, "model": model, "scan_s": scan_s, "l2": l2, "runs": runs,
                                    "files": len(files), "categories": counts}
                        print(f"{key}: scanned in {scan_s:.1f} s, {len(runs)} tags", file=sys.stderr)
    return {"repeats": repeats, "seed": seed, "family_seed": family_seed, "models": out}


def median_ms(fn, *args, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn(*args)
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def recompute(sizes: list[int], d: int = 512, tags: int = 12, phrases: int = 5, background: int = 8) -> list[dict]:
    from lookalike.engine.tags import classifier, phrase

    rng = np.random.default_rng(0)

    def unit(n: int) -> np.ndarray:
        out = np.empty((n, d), dtype=np.float32)
        for i in range(0, n, 100_000):
            block = rng.standard_normal((min(100_000, n - i), d), dtype=np.float32)
            out[i:i + len(block)] = block / np.linalg.norm(block, axis=1, keepdims=True)
        return out

    prototypes = [unit(phrases) for _ in range(tags)]
    rivals = unit(background)
    train = unit(40)
    model = classifier.fit(train, np.array([1] * 10 + [0] * 30))
    results = []
    for n in sizes:
        images = unit(n)
        shape = phrase.score_matrix(images, prototypes, rivals, 100.0).shape
        assert shape == (n, tags), shape
        results.append({"n": n, "d": d, "phrase_tags": tags, "phrases_per_tag": phrases,
                        "background": background,
                        "phrase_ms": median_ms(phrase.score_matrix, images, prototypes, rivals, 100.0),
                        "example_ms": median_ms(model.predict, images)})
        images = None   # frees the matrix before the next size is drawn
    return results


def mean_min(values: list[float]) -> str:
    return f"{statistics.mean(values):.2f} ({min(values):.2f})" if values else "-"


def mean(values: list[float]) -> str:
    return f"{statistics.mean(values):.2f}" if values else "-"


def markdown(q: dict | None, r: list[dict]) -> str:
    lines = []
    if q:
        lines += [f"## By-example tags: {q['repeats']} draws per label and k (seed {q['seed']}; families "
                  f"from seed {q['family_seed']}), examples only", "",
                  "Measured on the photos not used as examples: mean (min) over labels x draws; 'takes' is "
                  "the share of the photos without the label that the tag returns. 'est.' is the engine's "
                  "cross-validated estimate (TagInfo.quality), mean over the draws: the recall and the share "
                  "taken are estimates; its precision and F1 count every background photo taken as a "
                  "mistake, so they are lower bounds. 'at cut-off': mean photos returned besides the "
                  "examples; 'empty' / 'all': tags that returned none / every one of them.", "",
                  "| set: model | k | tags | precision | recall | F1 | takes | AP | est. R | est. takes "
                  "| est. P (lower bound) | at cut-off | empty | all | define ms (median) |",
                  "|---|--:|--:|---|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|"]
        for key, m in q["models"].items():
            for k in KS:
                runs = [x for x in m["runs"] if x["k"] == k]
                if not runs:
                    continue
                est = [x["estimate"] for x in runs if x["estimate"]]
                lines.append(
                    f"| {key} | {k} | {len(runs)} | " + " | ".join(mean_min([x[t] for x in runs]) for t in METRICS)
                    + " | " + " | ".join(mean([e[t] for e in est]) for t in ("recall", "takes", "precision"))
                    + f" | {statistics.mean(x['found'] for x in runs):.1f}"
                    f" | {sum(x['found'] == 0 for x in runs)} | {sum(x['found'] == x['rest'] for x in runs)}"
                    f" | {statistics.median(x['define_ms'] for x in runs):.1f} |")
        lines += ["", "### Per label, k = 5", "",
                  "Chance: the label's share of the non-example photos (the AP and precision a "
                  "random ranking gets).", "",
                  "| set: model | label | photos | chance | precision | recall | F1 | takes | AP | est. R "
                  "| est. takes | at cut-off |", "|---|---|--:|--:|---|---|---|---|---|--:|--:|--:|"]
        for key, m in q["models"].items():
            counts = m["categories"]
            for category in counts:
                runs = [x for x in m["runs"] if x["k"] == 5 and x["category"] == category]
                if not runs:
                    continue
                est = [x["estimate"] for x in runs if x["estimate"]]
                chance = (counts[category] - 5) / (m["files"] - 5)
                lines.append(f"| {key} | {category} | {counts[category]} | {chance:.2f} | "
                             + " | ".join(mean_min([x[t] for x in runs]) for t in METRICS)
                             + f" | {mean([e['recall'] for e in est])} | {mean([e['takes'] for e in est])}"
                             f" | {statistics.mean(x['found'] for x in runs):.1f} |")
        lines += ["", "| set: model | photos | scan s | define ms (median, all k) | read all scores ms (median) "
                  "| unscored photos | examples at own cut-off |", "|---|--:|--:|--:|--:|--:|--:|"]
        for key, m in q["models"].items():
            runs = m["runs"]
            lines.append(f"| {key} | {m['files']} | {m['scan_s']:.1f} | "
                         f"{statistics.median(x['define_ms'] for x in runs):.1f}"
                         f" | {statistics.median(x['read_ms'] for x in runs):.1f}"
                         f" | {sum(x['unscored'] for x in runs)}"
                         f" | {sum(x['examples_at_cutoff'] for x in runs)} / {sum(x['k'] for x in runs)} |")
    if r:
        lines += ["", "## Recompute time (synthetic 512-d unit vectors, median of 5 runs)", "",
                  "| photos | 12 phrase tags x 5 phrases + 8 background: score_matrix ms "
                  "| one example tag: predict ms |", "|--:|--:|--:|"]
        lines += [f"| {x['n']:,} | {x['phrase_ms']:.0f} | {x['example_ms']:.0f} |" for x in r]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--model", dest="models", action="append", help="sscd, phash, ... (repeatable)")
    parser.add_argument("--draws", type=int, default=10, help="random example sets per category and k")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000],
                        help="photo counts for the recompute timing (none: skip it)")
    parser.add_argument("--l2", dest="l2s", type=float, action="append",
                        help="run the classifier at these L2 strengths instead (repeatable; shipped: classifier.L2)")
    parser.add_argument("--set", dest="sets", action="append", choices=("categories", "families"),
                        help="which labelled set (repeatable; default: both)")
    parser.add_argument("--family-seed", type=int, default=23, help="which photos get edited copies")
    parser.add_argument("--no-quality", action="store_true", help="only the recompute timing")
    parser.add_argument("--json", type=Path, help="write every measurement here")
    args = parser.parse_args()
    started = time.perf_counter()
    q = None if args.no_quality else quality(args.folder, args.models or ["sscd", "phash"], args.draws, args.seed,
                                              args.sets or ["categories", "families"], args.family_seed, args.l2s)
    r = recompute(args.sizes) if args.sizes else []
    report = markdown(q, r)
    print(report)
    print(f"ran in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"quality": q, "recompute": r}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
