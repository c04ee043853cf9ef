"""By-example tag quality on labelled photos, and the time to recompute tags at scale.

Quality: for each model, a fresh library over a scratch copy of the folder, scanned once. For
every category of bench/tag_categories.csv with at least 11 photos and each k in 3, 5, 10, R
seeded draws of k example photos from the category each define a tag (examples only, no
counter-examples), as a user would. On the photos not used as examples it measures the
precision, recall and F1 of the photos at the tag's cut-off against the labels, and the
average precision of the full ranking (every photo's score), next to the cross-validated
estimate the engine reports (TagInfo.quality), chance level (the category's share) and the
time to define a tag. The same draws are used for every model
(and, with --l2, for each classifier strength tried).

Recompute: synthetic 512-d unit vectors (n = 100k and 1M by default): the median of 5 runs of
phrase.score_matrix for 12 phrase tags of 5 phrases each against 8 background sentences, and
of one example tag's predict over the same matrix.

    python bench/tags.py ../shared/photos --model sscd --model phash --json bench/out/tags.json
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
METRICS = ("precision", "recall", "f1", "ap")


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
    q = info.quality
    estimate = None if q is None else {"precision": q.precision, "recall": q.recall, "f1": q.f1,
                                       "ap": q.average_precision, "negatives": q.negatives}
    return {"precision": precision, "recall": recall, "f1": f1,
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


def quality(folder: Path, models: list[str], repeats: int, seed: int, l2s: list[float] | None = None) -> dict:
    from lookalike.engine import Library

    labels = load_labels(CATEGORIES)
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        photos = Path(tmp) / "photos"
        photos.mkdir()
        for f in sorted(folder.iterdir()):
            if f.suffix.lower() in IMAGES:
                shutil.copy2(f, photos / f.name)
        files = sorted(f.name for f in photos.iterdir())
        missing = sorted(set(files) - set(labels))
        if missing:
            print(f"not in {CATEGORIES.name} (taken as unlabelled): {', '.join(missing)}", file=sys.stderr)
        plan = list(draws(labels, files, repeats, seed))
        for model in models:
            with Library.open(Path(tmp) / f"lib-{model}", backup=False) as lib:
                lib.settings.text_search = False
                lib.add_folder(photos)
                start = time.perf_counter()
                lib.scan(model=model)
                scan_s = time.perf_counter() - start
                for l2 in l2s or [None]:
                    key = model if l2 is None else f"{model}, L2 {l2:g}"
                    runs = []
                    with regularised(l2):
                        for category, k, r, examples in plan:
                            result = one_tag(lib, photos, labels, files, category, examples)
                            runs.append({"category": category, "k": k, "draw": r, "examples": examples, **result})
                    out[key] = {"scan_s": scan_s, "l2": l2, "runs": runs}
                    print(f"{key}: scanned in {scan_s:.1f} s, {len(runs)} tags", file=sys.stderr)
    counts = {c: sum(1 for f in files if labels.get(f) == c) for c in sorted({v for v in labels.values() if v})}
    return {"files": len(files), "categories": counts, "repeats": repeats, "seed": seed, "models": out}


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
        counts = q["categories"]
        lines += [f"## By-example tags: {q['files']} photos, {q['repeats']} draws per category and k "
                  f"(seed {q['seed']}), examples only", "",
                  "Measured on the photos not used as examples: mean (min) over categories x draws. "
                  "'est.' is the engine's cross-validated estimate (TagInfo.quality), mean over the "
                  "draws that had one; 'est. negatives' is how many background photos it kept as negatives "
                  "(of all the non-example photos). 'at cut-off' is the mean number of non-example photos the tag "
                  "returns; 'empty' / 'all' count tags that returned none / every one of them. With fewer "
                  "than 200 + k photos the engine's background sample is the whole library, so every "
                  "non-example photo (the category's other members too) is a training negative.", "",
                  "| model | k | tags | precision | recall | F1 | AP | est. P | est. R | est. F1 | est. AP "
                  "| no est. | est. negatives | at cut-off | empty | all | define ms (median) |",
                  "|---|--:|--:|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
        for model, m in q["models"].items():
            for k in KS:
                runs = [x for x in m["runs"] if x["k"] == k]
                if not runs:
                    continue
                est = [x["estimate"] for x in runs if x["estimate"]]
                lines.append(
                    f"| {model} | {k} | {len(runs)} | " + " | ".join(mean_min([x[t] for x in runs]) for t in METRICS)
                    + " | " + " | ".join(mean([e[t] for e in est]) for t in METRICS)
                    + f" | {len(runs) - len(est)} | {statistics.mean(e['negatives'] for e in est) if est else 0:.1f}"
                    f" | {statistics.mean(x['found'] for x in runs):.1f}"
                    f" | {sum(x['found'] == 0 for x in runs)} | {sum(x['found'] == x['rest'] for x in runs)}"
                    f" | {statistics.median(x['define_ms'] for x in runs):.1f} |")
        chance = {c: (n - 5) / (q["files"] - 5) for c, n in counts.items()}
        lines += ["", "### Per category, k = 5", "",
                  "Chance: the category's share of the non-example photos (the AP and precision a "
                  "random ranking gets).", "",
                  "| model | category | photos | chance | precision | recall | F1 | AP | est. F1 | est. AP "
                  "| at cut-off |", "|---|---|--:|--:|---|---|---|---|--:|--:|--:|"]
        for model, m in q["models"].items():
            for category in counts:
                runs = [x for x in m["runs"] if x["k"] == 5 and x["category"] == category]
                if not runs:
                    continue
                est = [x["estimate"] for x in runs if x["estimate"]]
                lines.append(f"| {model} | {category} | {counts[category]} | {chance[category]:.2f} | "
                             + " | ".join(mean_min([x[t] for x in runs]) for t in METRICS)
                             + f" | {mean([e['f1'] for e in est])} | {mean([e['ap'] for e in est])}"
                             f" | {statistics.mean(x['found'] for x in runs):.1f} |")
        lines += ["", "| model | scan s | define ms (median, all k) | read all scores ms (median) "
                  "| unscored photos | examples at own cut-off |", "|---|--:|--:|--:|--:|--:|"]
        for model, m in q["models"].items():
            runs = m["runs"]
            lines.append(f"| {model} | {m['scan_s']:.1f} | {statistics.median(x['define_ms'] for x in runs):.1f}"
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
    parser.add_argument("--no-quality", action="store_true", help="only the recompute timing")
    parser.add_argument("--json", type=Path, help="write every measurement here")
    args = parser.parse_args()
    started = time.perf_counter()
    q = None if args.no_quality else quality(args.folder, args.models or ["sscd", "phash"], args.draws, args.seed,
                                              args.l2s)
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
