"""Scale: grouping and search over 100k and 1M vectors, and rescanning a big unchanged library.

Synthetic 384-d unit vectors (DINOv2-small's size) with 1% planted near-duplicates go through
the engine's own index and grouping code: index build, all-pairs grouping at cosine 0.9, the
regroup after 100 new vectors arrive (50 of them copies) through the incremental pair cache,
single-query latency, and peak memory, each size in its own process. Then 100k catalog rows
over 100k real (tiny) files are rescanned unchanged through the real scan job, then once more
scoped to the folder of one new file, as a watched change is, and the Folders page's list of
unreadable files is read.
Targets: grouping 100k < 10 s, query < 50 ms at 1M, unchanged rescan of 100k rows < 10 s.

    python bench/scale.py [--sizes 100000 1000000] [--rescan 100000] [--json out.json]
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def vectors(n: int, dim: int = 384, planted: float = 0.01, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, dim), dtype=np.float32)
    k = int(n * planted)
    sources = rng.integers(0, n - k, k)
    x[n - k:] = x[sources] + 0.15 * rng.standard_normal((k, dim), dtype=np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x, {(int(a), int(b)) for a, b in zip(sources, range(n - k, n))}


def child_index(n: int) -> dict:
    from lookalike.engine.dedup.groups import group
    from lookalike.engine.index.pairs import PairCache
    from lookalike.engine.index.vectors import VectorIndex

    x, planted = vectors(n)
    ids = np.arange(1, n + 1, dtype=np.int64)
    start = time.perf_counter()
    index = VectorIndex("bench", x.shape[1], expected=n, sample=x)
    for s in range(0, n, 100_000):
        index.add(ids[s:s + 100_000], x[s:s + 100_000], 0)
    build = time.perf_counter() - start
    files = [(int(i), None) for i in ids]
    start = time.perf_counter()
    cache = PairCache.build(index, 0.9)
    pairs = cache.pairs()
    groups = group(files, pairs, near=0.9)
    grouping = time.perf_counter() - start
    found = {(a - 1, b - 1) for a, b, _ in pairs}
    recall = len(found & planted) / len(planted)

    # A watched change: 100 new photos, 50 of them copies of library photos.
    rng = np.random.default_rng(2)
    extra = rng.standard_normal((100, x.shape[1]), dtype=np.float32)
    copied = rng.integers(0, n, 50)
    extra[:50] = x[copied] + 0.01 * extra[:50]
    extra /= np.linalg.norm(extra, axis=1, keepdims=True)
    extra_ids = np.arange(n + 1, n + 101, dtype=np.int64)
    index.add(extra_ids, extra, index.max_seq + 1)
    start = time.perf_counter()
    cache = cache.updated(index, extra_ids, extra)
    regroup_groups = group(files + [(int(i), None) for i in extra_ids], cache.pairs(), near=0.9)
    regroup = time.perf_counter() - start
    copies_found = len({(int(c) + 1, int(e)) for c, e in zip(copied, extra_ids[:50])}
                       & {(a, b) for a, b, _ in cache.pairs()}) / 50
    latencies = []
    for q in np.random.default_rng(1).integers(0, n, 100):
        t = time.perf_counter()
        index.search(x[q:q + 1], 20)
        latencies.append((time.perf_counter() - t) * 1000)
    latencies.sort()
    return {"vectors": n, "kind": index.kind, "build_s": build, "grouping_s": grouping,
            "groups": len(groups), "planted_recall": recall, "regroup_s": regroup,
            "regroup_groups": len(regroup_groups), "new_copies_found": copies_found, "query_ms_median": latencies[50],
            "query_ms_p99": latencies[98], "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def child_rescan(n: int) -> dict:
    from lookalike.engine.catalog.store import Catalog
    from lookalike.engine.scanning.scan import identity, run_scan
    from lookalike.engine.scanning.scope import scopes_for

    with tempfile.TemporaryDirectory() as tmp:
        photos = Path(tmp) / "photos"
        rows = []
        for i in range(n):
            folder = photos / f"{i // 1000:03d}"
            if i % 1000 == 0:
                folder.mkdir(parents=True)
            path = folder / f"IMG_{i:06d}.jpg"
            path.write_bytes(b"\xff\xd8" + i.to_bytes(4, "big"))
            info = path.stat()
            rows.append({"folder_id": 1, "path": str(path), "size": info.st_size, "mtime_ns": info.st_mtime_ns,
                         "content_hash": f"{i:032x}", "width": 1, "height": 1, "format": "JPEG", "error": None,
                         **identity(info.st_dev, info.st_ino)})   # as a scan writes them
        catalog = Catalog(Path(tmp) / "lib")
        catalog.add_folder(str(photos))
        for s in range(0, n, 20_000):
            catalog.insert_files(rows[s:s + 20_000])
        start = time.perf_counter()
        summary = run_scan(catalog, [(1, str(photos))], [], [])
        seconds = time.perf_counter() - start
        # What the desktop app does when the watcher reports one new photo.
        arrival = photos / "000" / "IMG_new.jpg"
        arrival.write_bytes(b"\xff\xd8new")
        start = time.perf_counter()
        scoped = run_scan(catalog, [(1, str(photos))], [], [],
                          scopes=scopes_for([str(arrival)], [(1, str(photos))]))
        scoped_seconds = time.perf_counter() - start
        # What the Folders page reads after every scan: the unreadable files (two, or three with the new one), by
        # the partial index, beside the old way (every row, filtered in Python).
        catalog.insert_files([{**rows[0], "path": str(photos / f"bad{i}.jpg"), "content_hash": None,
                               "error": "truncated"} for i in range(2)])
        start = time.perf_counter()
        bad = catalog.unreadable_files()   # what Library.photos(unreadable=True) reads
        problems_ms = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        every = [r for r in catalog.all_files() if r.error]
        every_row_ms = (time.perf_counter() - start) * 1000
        assert len(bad) == len(every) >= 2   # and the new file, if the scan found it unreadable
        catalog.close()
    return {"rows": n, "rescan_s": seconds, "unchanged": summary.unchanged, "changed": summary.changed,
            "scoped_rescan_s": scoped_seconds, "scoped_added": scoped.added,
            "problems_ms": problems_ms, "problems_every_row_ms": every_row_ms,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--rescan", type=int, default=100_000)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, n = args.child[0], int(args.child[1])
        print(json.dumps(child_index(n) if kind == "index" else child_rescan(n)))
        return 0
    results = {"index": [], "rescan": None}
    runs = [("index", n) for n in args.sizes] + ([("rescan", args.rescan)] if args.rescan else [])
    for kind, n in runs:
        out = subprocess.run([sys.executable, __file__, "--child", kind, str(n)], capture_output=True, text=True)
        if out.returncode != 0:
            print(f"{kind} {n} failed: {out.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
            continue
        result = json.loads(out.stdout.strip().splitlines()[-1])
        if kind == "index":
            results["index"].append(result)
        else:
            results["rescan"] = result
    print("| vectors | index | build s | grouping s (all pairs >= 0.9) | planted pairs found | "
          "regroup after +100 s | new copies found | query ms median / p99 | peak MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results["index"]:
        print(f"| {r['vectors']:,} | {r['kind']} | {r['build_s']:.1f} | {r['grouping_s']:.1f} | "
              f"{r['planted_recall']:.1%} | {r['regroup_s']:.1f} | {r['new_copies_found']:.0%} | "
              f"{r['query_ms_median']:.2f} / {r['query_ms_p99']:.2f} | {r['peak_mb']:.0f} |")
    if results["rescan"]:
        r = results["rescan"]
        print(f"\nUnchanged rescan of {r['rows']:,} catalog rows (real files, real scan job): "
              f"{r['rescan_s']:.1f} s, peak {r['peak_mb']:.0f} MB ({r['unchanged']:,} unchanged, {r['changed']} changed)")
        print(f"Scoped rescan after one new file (what a watched change runs): {r['scoped_rescan_s']:.2f} s "
              f"({r['scoped_added']} file added)")
        print(f"Unreadable files for the Folders page: {r['problems_ms']:.1f} ms by the index "
              f"(every row read and filtered: {r['problems_every_row_ms']:.0f} ms)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
