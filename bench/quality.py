"""Duplicate-finding quality, end to end, against the peers' method (pHash).

Builds a benchmark from a folder: N source photos each get copies made by the edits in
bench/edits.py (mirrors scored as their own tier); the other photos stay as distractors; known
same-scene groups (different shots of one scene) are hard negatives. For each model it runs the
engine as a user would (scan, then duplicate groups at the shipped defaults) and reports:
pairwise precision / recall / F1 of the near tier, micro-AP over scored pairs (as DISC21's
isc2021 metric: missed pairs count), recall per edit, and the share of same-scene pairs merged
into the near tier and found by the similar tier. With --compare, near-tier quality at each
model's fixed defaults, at the best fixed threshold of a sweep and at the thresholds calibrated
on this library (engine/dedup/calibrate.py), side by side. Writes report.md, report.json and
pr.png.

    python bench/quality.py ../shared/photos --model sscd --model phash --compare --out bench/out/quality
"""
from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from edits import EDITS, MIRRORS  # noqa: E402

SAME_SCENE = [("skimage__motorcycle_left", "skimage__motorcycle_right"),
              ("scratch__basketball-court1-a", "scratch__basketball-court1-b"),
              ("scratch__city-with-water", "scratch__city-with-water2"),
              ("scratch__train-tracks1", "scratch__train-tracks2")]


# Near thresholds the calibrated-vs-fixed comparison sweeps for the best fixed one.
GRID = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.6875)


def build(folder: Path, out: Path, sources: int, seed: int, same_scene) -> dict:
    photos = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png", ".webp"))
    scene_members = {m for group in same_scene for m in group}
    candidates = [p for p in photos if p.stem not in scene_members]
    random.Random(seed).shuffle(candidates)
    chosen = sorted(candidates[:sources])
    out.mkdir(parents=True)
    truth = {"families": {}, "mirrors": {}, "same_scene": [list(g) for g in same_scene], "edits": {}}
    rng = np.random.default_rng(seed)
    for photo in photos:
        target = out / photo.name
        target.write_bytes(photo.read_bytes())
    for photo in chosen:
        img = Image.open(photo).convert("RGB")
        family = [photo.name]
        for name, edit in {**EDITS, **MIRRORS}.items():
            picture, fmt = edit(img, rng)
            filename = f"{photo.stem}__{name}.{fmt}"
            picture.save(out / filename, quality=92) if fmt != "png" else picture.save(out / filename)
            if name in MIRRORS:
                truth["mirrors"][filename] = photo.name
            else:
                family.append(filename)
                truth["edits"][filename] = name
        truth["families"][photo.name] = family
    return truth


def pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def evaluate(library, model: str, truth: dict) -> dict:
    name_of = lambda path: Path(path).name  # noqa: E731
    positives = {pair(a, b) for fam in truth["families"].values() for a, b in itertools.combinations(fam, 2)}
    mirror_pairs = {pair(m, other) for m, src in truth["mirrors"].items() for other in truth["families"][src]}
    stem_files = {}
    for path in [r.path for r in library.catalog.all_files()]:
        stem_files.setdefault(Path(path).stem, []).append(name_of(path))
    scene_pairs = {pair(x, y) for group in truth["same_scene"]
                   for a, b in itertools.combinations(group, 2)
                   for x in stem_files.get(a, []) for y in stem_files.get(b, [])}

    def grouped_pairs(groups):
        return {pair(name_of(a.path), name_of(b.path)) for g in groups
                for a, b in itertools.combinations(g.files, 2)}

    near = grouped_pairs(library.duplicates(tier="near", model=model))
    similar = grouped_pairs(library.duplicates(tier="similar", model=model))
    tp = len(near & positives)
    fp = len(near - positives - mirror_pairs)
    fn = len(positives - near)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    # Ranked pairs: the engine's own scores (cosine, with verification's demotions).
    records, scored = library.scored_pairs(model, threshold=-1.0, verify=True)
    limits = library.thresholds(model)
    ranked = sorted(((s, pair(name_of(records[a].path), name_of(records[b].path))) for a, b, s in scored),
                    key=lambda x: -x[0])
    ranked = [(s, p) for s, p in ranked if p not in mirror_pairs]
    hits, ap, curve = 0, 0.0, []
    for k, (score, p) in enumerate(ranked, start=1):
        if p in positives:
            hits += 1
            ap += hits / k
            curve.append((hits / len(positives), hits / k))
    ap /= max(1, len(positives))

    per_edit = {}
    for filename, edit in truth["edits"].items():
        source = filename.split("__" + edit)[0]
        original = next(f for f in truth["families"] if Path(f).stem == source)
        per_edit.setdefault(edit, []).append(pair(original, filename) in near)
    mirrors = [pair(m, src) in near for m, src in truth["mirrors"].items()]
    mirrors_similar = [pair(m, src) in similar for m, src in truth["mirrors"].items()]
    return {"model": model, "near_threshold": limits["near"], "similar_threshold": limits["similar"],
            "precision": precision, "recall": recall, "f1": f1, "micro_ap": ap,
            "true_pairs": len(positives), "found_pairs": len(near), "false_pairs": fp,
            "same_scene_pairs": len(scene_pairs),
            "same_scene_merged_near": len(near & scene_pairs) / max(1, len(scene_pairs)),
            "same_scene_found_similar": len(similar & scene_pairs) / max(1, len(scene_pairs)),
            "mirror_recall_near": sum(mirrors) / max(1, len(mirrors)),
            "mirror_recall_similar": sum(mirrors_similar) / max(1, len(mirrors_similar)),
            "recall_per_edit": {e: sum(v) / len(v) for e, v in sorted(per_edit.items())},
            "pr_curve": curve[:: max(1, len(curve) // 200)]}


def compare(library, model: str, truth: dict, grid) -> dict:
    """Near-tier quality at the model's fixed defaults, at the best fixed threshold of `grid`,
    and at this library's calibrated thresholds (geometric verification as configured)."""
    from lookalike.engine.embedding.registry import spec
    from lookalike.engine.parts import calibrations

    def at(**thresholds):
        library.settings.thresholds[model] = thresholds
        result = evaluate(library, model, truth)
        library.settings.thresholds.pop(model, None)
        return {k: result[k] for k in ("near_threshold", "similar_threshold", "precision", "recall", "f1",
                                       "false_pairs", "same_scene_merged_near", "same_scene_found_similar")}

    fixed = spec(model)
    was = calibrations.CHOICE.get(model)
    calibrations.CHOICE[model] = "calibrated"   # as if the table chose calibration for this model
    try:
        calibration = library.calibration(model)
    finally:
        calibrations.CHOICE.pop(model) if was is None else calibrations.CHOICE.update({model: was})
    out = {"chance_end": calibration.chance_end, "pairs": calibration.pairs, "photos": calibration.photos,
           "calibrates": calibration.source == "calibrated",   # False: no chance end below the ceiling
           "shipped": calibrations.choice(model),
           "fixed": at(near=fixed.near, similar=fixed.similar),
           "calibrated": at(near=calibration.near, similar=calibration.similar)}
    swept = [at(near=t, similar=min(t, fixed.similar)) for t in sorted(set(grid) | {fixed.near})]
    out["best_fixed"] = max(swept, key=lambda m: (m["f1"], -abs(m["near_threshold"] - fixed.near)))
    out["better"] = "calibrated" if out["calibrated"]["f1"] >= out["fixed"]["f1"] else "fixed"
    print(f"  {model}: chance end {calibration.chance_end}, fixed F1 {out['fixed']['f1']:.3f}, best fixed "
          f"{out['best_fixed']['near_threshold']:g} F1 {out['best_fixed']['f1']:.3f}, calibrated near "
          f"{calibration.near:.3f} F1 {out['calibrated']['f1']:.3f}", file=sys.stderr)
    return out


def compare_table(results: list[dict]) -> list[str]:
    rows = [r for r in results if r.get("compare")]
    if not rows:
        return []
    lines = ["", "Calibrated vs fixed thresholds (near tier, geometric verification as shipped):", "",
             "| model | chance end (pairs of photos) | fixed near: P / R / F1 | best fixed near: F1 | "
             "calibrated near / similar: P / R / F1 | better | shipped |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        c = r["compare"]
        f, b, k = c["fixed"], c["best_fixed"], c["calibrated"]
        end = "too few photos" if c["chance_end"] is None else f"{c['chance_end']:.3f} ({c['pairs']:,} of {c['photos']:,})"
        calibrated = (f"{k['near_threshold']:.3f} / {k['similar_threshold']:.3f}: {k['precision']:.3f} / "
                      f"{k['recall']:.3f} / {k['f1']:.3f}" if c.get("calibrates", True)
                      else "none (chance reaches 0.99): the defaults hold")
        lines.append(f"| {r['model']} | {end} | {f['near_threshold']:.2f}: {f['precision']:.3f} / {f['recall']:.3f} / "
                     f"{f['f1']:.3f} | {b['near_threshold']:g}: {b['f1']:.3f} | {calibrated} | "
                     f"{c['better']} | {c['shipped']} |")
    return lines


def plot(results: list[dict], path: Path) -> None:
    from PIL import ImageDraw, ImageFont

    size, pad = 640, 60
    img = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=14)
    box = (pad, pad // 2, size - pad // 2, size - pad)
    draw.rectangle(box, outline="black")
    for t in range(0, 11, 2):
        x = box[0] + (box[2] - box[0]) * t / 10
        y = box[3] - (box[3] - box[1]) * t / 10
        draw.text((x - 8, box[3] + 6), f"{t / 10:.1f}", fill="black", font=font)
        draw.text((box[0] - 34, y - 8), f"{t / 10:.1f}", fill="black", font=font)
    draw.text(((box[0] + box[2]) // 2 - 25, size - 28), "recall", fill="black", font=font)
    draw.text((box[0] + 6, 6), "precision", fill="black", font=font)
    colours = [(37, 99, 235), (220, 38, 38), (22, 163, 74), (202, 138, 4)]
    for i, result in enumerate(results):
        points = [(box[0] + (box[2] - box[0]) * r, box[3] - (box[3] - box[1]) * p) for r, p in result["pr_curve"]]
        if len(points) > 1:
            draw.line(points, fill=colours[i % 4], width=3)
        draw.text((box[0] + 12, box[3] - 24 - 18 * i), f"{result['model']}  AP {result['micro_ap']:.3f}",
                  fill=colours[i % 4], font=font)
    img.save(path)


def markdown(results: list[dict], meta: dict) -> str:
    lines = [f"Benchmark: {meta['sources']} sources × {meta['edits']} edits (+ mirrors), "
             f"{meta['files']} files in all, {meta['same_scene']} same-scene pairs; engine defaults.", "",
             "| model | near thr. | precision | recall | F1 | micro-AP | same-scene merged into near | "
             "same-scene found by similar | mirrors in near | scan + group s |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['model']} | {r['near_threshold']:.2f} | {r['precision']:.3f} | {r['recall']:.3f} | "
                     f"{r['f1']:.3f} | {r['micro_ap']:.3f} | {r['same_scene_merged_near']:.0%} | "
                     f"{r['same_scene_found_similar']:.0%} | {r['mirror_recall_near']:.0%} | {r['seconds']:.0f} |")
    swept = [r for r in results if r.get("sweep")]
    if swept:
        lines += ["", "Near-tier threshold sweep (how the defaults were chosen):", "",
                  "| model | near threshold | precision | recall | F1 | same-scene merged |", "|---|---|---|---|---|---|"]
        for r in swept:
            for threshold, m in sorted(r["sweep"].items(), key=lambda kv: -float(kv[0])):
                lines.append(f"| {r['model']} | {float(threshold):g} | {m['precision']:.3f} | {m['recall']:.3f} | "
                             f"{m['f1']:.3f} | {m['same_scene_merged_near']:.0%} |")
    lines += compare_table(results)
    lines += ["", "Recall per edit (near tier):", "",
              "| edit | " + " | ".join(r["model"] for r in results) + " |",
              "|---|" + "---|" * len(results)]
    for edit in results[0]["recall_per_edit"]:
        lines.append(f"| {edit} | " + " | ".join(f"{r['recall_per_edit'][edit]:.0%}" for r in results) + " |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--render", type=Path, metavar="REPORT_JSON",
                        help="only rewrite report.md (and pr.png) from an earlier report.json")
    parser.add_argument("folder", type=Path, nargs="?")
    parser.add_argument("--model", action="append", dest="models")
    parser.add_argument("--sources", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-verify", action="store_true", help="turn the geometric check off")
    parser.add_argument("--sscd-size", type=int, help="SSCD input side in pixels (default: the engine's)")
    parser.add_argument("--sweep", type=float, nargs="*", default=[],
                        help="also report near-tier F1 at these thresholds (choosing defaults)")
    parser.add_argument("--compare", type=float, nargs="*", metavar="NEAR",
                        help="compare the fixed defaults, the best of these fixed near thresholds and "
                             "the library's calibrated thresholds")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "quality")
    args = parser.parse_args()
    if args.render:
        saved = json.loads(args.render.read_text())
        (args.render.parent / "report.md").write_text(markdown(saved["results"], saved["meta"]))
        plot(saved["results"], args.render.parent / "pr.png")
        print(markdown(saved["results"], saved["meta"]))
        return 0
    from lookalike.engine import Library

    models = args.models or ["sscd", "phash"]
    if args.sscd_size:
        from lookalike.engine.embedding import sscd

        sscd.INPUT_SIZE = args.sscd_size
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        bench = Path(tmp) / "photos"
        truth = build(args.folder, bench, args.sources, args.seed, SAME_SCENE)
        files = sum(1 for _ in bench.iterdir())
        for model in models:
            with Library.open(Path(tmp) / f"lib-{model}") as library:
                library.settings.text_search = False
                library.settings.verify_pairs = not args.no_verify
                library.add_folder(bench)
                start = time.perf_counter()
                library.scan(model=model)
                library.duplicates(tier="similar", model=model)
                seconds = time.perf_counter() - start
                result = evaluate(library, model, truth)
                result["seconds"] = seconds
                result["sweep"] = {}
                for threshold in args.sweep:
                    library.settings.thresholds[model] = {"near": threshold,
                                                          "similar": min(threshold, library.thresholds(model)["similar"])}
                    swept = evaluate(library, model, truth)
                    result["sweep"][threshold] = {k: swept[k] for k in ("precision", "recall", "f1",
                                                                        "same_scene_merged_near")}
                    print(f"  {model} near {threshold:g}: P {swept['precision']:.3f} R {swept['recall']:.3f} "
                          f"F1 {swept['f1']:.3f} merged {swept['same_scene_merged_near']:.0%}", file=sys.stderr)
                library.settings.thresholds.pop(model, None)
                if args.compare is not None:
                    result["compare"] = compare(library, model, truth, args.compare or GRID)
                results.append(result)
                print(f"{model}: P {result['precision']:.3f} R {result['recall']:.3f} F1 {result['f1']:.3f} "
                      f"AP {result['micro_ap']:.3f} same-scene merged {result['same_scene_merged_near']:.0%} "
                      f"similar {result['same_scene_found_similar']:.0%} ({seconds:.0f} s)", file=sys.stderr)
    meta = {"sources": args.sources, "edits": len(EDITS), "files": files,
            "same_scene": results[0]["same_scene_pairs"] if results else 0, "verify": not args.no_verify}
    args.out.mkdir(parents=True, exist_ok=True)
    report = markdown(results, meta)
    (args.out / "report.md").write_text(report)
    (args.out / "report.json").write_text(json.dumps({"meta": meta, "results": results}, indent=2))
    plot(results, args.out / "pr.png")
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
