"""Soak: the engine watching a library while photos are created, edited, renamed and deleted.

Headless, the way the desktop app runs it (desktop/main_window.py): `Library.watcher` reports
changed paths after its debounce; one writer thread runs `Library.scan(changed=...)` for them,
merging requests that arrive during a scan, and refreshes the duplicate groups after each scan
as the Duplicates view does. Meanwhile this script works on the photo folder in bursts (new
small JPEGs made with PIL, or copies from --photos DIR; re-saved edits; renames, some into
other folders; deletions; re-encoded copies that make near-duplicates) for --minutes.

Reported: memory (RSS at the start of the soak, after the first watched scan, at the end, peak), events lost (after a quiet
period, the catalog against the disk: files missing, ghosts, stale sizes, photos without a
vector; then what a full rescan still finds), the worst stall (the largest gap of a 10 ms ticker
thread beyond its 10 ms, i.e. how long the engine kept other Python threads, such as a GUI's,
from running), the worst time from a change on disk to the end of the scan that took it in,
and scan/regroup times.

    python bench/soak.py [--minutes 10] [--model phash] [--photos DIR] [--json out.json]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TICK = 0.010


def rss_mb(field: str = "VmRSS") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Ticker(threading.Thread):
    """A 10 ms heartbeat: the largest gap between its wake-ups is the worst stall another
    thread (a GUI's event loop) would have seen. Also samples RSS once a second."""

    def __init__(self, busy: threading.Event) -> None:
        super().__init__(daemon=True)
        self.busy, self.stop = busy, threading.Event()
        self.worst = self.worst_busy = 0.0
        self.gaps: list[float] = []
        self.rss_peak = 0.0
        self.rss_timeline: list[tuple[float, float]] = []   # (seconds, MB) every 10 s

    def run(self) -> None:
        last = sample = time.perf_counter()
        while not self.stop.is_set():
            time.sleep(TICK)
            now = time.perf_counter()
            excess = max(0.0, now - last - TICK)
            self.gaps.append(excess)
            self.worst = max(self.worst, excess)
            if self.busy.is_set():
                self.worst_busy = max(self.worst_busy, excess)
            if now - sample >= 1.0:
                rss = rss_mb()
                self.rss_peak, sample = max(self.rss_peak, rss), now
                if not self.rss_timeline or now - self.rss_timeline[-1][0] >= 10:
                    self.rss_timeline.append((now, rss))
            last = now


class ScanWorker(threading.Thread):
    """The app's one writer: scans for watched changes, merging requests made meanwhile."""

    def __init__(self, library, model: str) -> None:
        super().__init__(daemon=True)
        self.library, self.model = library, model
        self.cond = threading.Condition()
        self.pending: set[str] | None = None
        self.scanning = threading.Event()
        self.stop = False
        self.scans: list[tuple[float, float, int]] = []   # (start, end, paths)
        self.regroups: list[float] = []
        self.errors: list[str] = []
        self.callbacks: list[float] = []   # when the watcher called back
        self.rss_warm: float | None = None  # after the first watched scan and regroup

    def request(self, changed: set[str]) -> None:   # the watcher's callback (its timer thread)
        with self.cond:
            self.callbacks.append(time.perf_counter())
            self.pending = set(changed) | (self.pending or set())
            self.cond.notify()

    def idle(self) -> bool:
        with self.cond:
            return self.pending is None and not self.scanning.is_set()

    def run(self) -> None:
        while True:
            with self.cond:
                while self.pending is None and not self.stop:
                    self.cond.wait()
                if self.stop:
                    return
                changed, self.pending = self.pending, None
                self.scanning.set()
            start = time.perf_counter()
            try:
                self.library.scan(model=self.model, changed=changed)
                end = time.perf_counter()
                self.library.duplicates(tier="near", model=self.model)
                self.regroups.append(time.perf_counter() - end)
            except Exception as exc:  # noqa: BLE001 - a soak reports failures, it does not stop
                end = time.perf_counter()
                self.errors.append(f"{type(exc).__name__}: {exc}")
            self.scans.append((start, end, len(changed)))
            if self.rss_warm is None:
                self.rss_warm = rss_mb()
            self.scanning.clear()


class Mutator:
    """Works on the photo folder like a user and their tools would, in bursts."""

    def __init__(self, folder: Path, rng: random.Random, sources: list[Path]) -> None:
        self.folder, self.rng, self.sources = folder, rng, sources
        self.counter = 0
        self.ops: list[tuple[float, str]] = []   # (time, kind)

    def files(self) -> list[Path]:
        return [p for p in self.folder.rglob("*") if p.is_file() and not p.name.startswith(".")]

    def picture(self, path: Path) -> None:
        import numpy as np
        from PIL import Image, ImageDraw

        gen = np.random.default_rng(self.rng.getrandbits(32))
        w, h = int(gen.integers(240, 640)), int(gen.integers(180, 480))
        base = gen.integers(0, 256, (h // 40 + 2, w // 40 + 2, 3), dtype=np.uint8)
        img = Image.fromarray(base).resize((w, h), Image.BICUBIC)
        draw = ImageDraw.Draw(img)
        for _ in range(6):
            x, y, r = int(gen.integers(0, w)), int(gen.integers(0, h)), int(gen.integers(10, w // 4))
            draw.ellipse((x, y, x + r, y + r), fill=tuple(int(v) for v in gen.integers(0, 256, 3)))
        img.save(path, quality=int(gen.integers(75, 95)))

    def name(self, folder: Path) -> Path:
        self.counter += 1
        return folder / f"img_{self.counter:05d}.jpg"

    def step(self) -> None:
        files = self.files()
        kind = self.rng.choices(["create", "copy", "edit", "rename", "move", "delete"],
                                [4 if len(files) < 150 else 1, 1, 2, 2, 1, 1 if len(files) < 40 else 3])[0]
        if not files:
            kind = "create"
        victim = self.rng.choice(files) if files else None
        if kind == "create":
            target = self.name(self.folder)
            if self.sources:   # copied under a hidden name, then renamed: as a download lands
                source = self.rng.choice(self.sources)
                hidden = target.with_name("." + target.name)
                shutil.copyfile(source, hidden)
                os.replace(hidden, target.with_suffix(source.suffix.lower()))
            else:
                self.picture(target)
        elif kind in ("copy", "edit"):
            from PIL import Image, ImageDraw

            with Image.open(victim) as img:
                img = img.convert("RGB")
            if kind == "copy":   # a re-encoded, slightly smaller copy: a near-duplicate
                img.resize((max(32, img.width * 3 // 4), max(32, img.height * 3 // 4))).save(
                    self.name(victim.parent), quality=80)
            else:                # an editor saving over the file: a small change in place
                ImageDraw.Draw(img).rectangle((0, 0, img.width // 8, img.height // 8), fill=(255, 0, 0))
                img.save(victim, format="JPEG", quality=90)
        elif kind == "rename":
            victim.rename(self.name(victim.parent))
        elif kind == "move":
            album = self.folder / f"album_{self.rng.randrange(4)}"
            album.mkdir(exist_ok=True)
            victim.rename(self.name(album if victim.parent != album else self.folder))
        else:
            victim.unlink()
        self.ops.append((time.perf_counter(), kind))


def audit(library, folder: Path, model: str) -> dict:
    """The catalog against the disk, with no scan in between."""
    from lookalike.engine.scanning.walk import is_image_name

    disk = {}
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for n in names:
            if not n.startswith(".") and is_image_name(n):
                path = os.path.join(root, n)
                disk[os.path.realpath(path)] = os.stat(path).st_size
    photos = {p.path: p for p in library.photos()}
    stale = sum(1 for path, size in disk.items() if path in photos and photos[path].bytes != size)
    good = sum(1 for p in photos.values() if p.content_hash and not p.error)
    vectors = library.vector_counts().get(model, 0)
    return {"on_disk": len(disk), "in_catalog": len(photos),
            "missing": len(set(disk) - set(photos)), "ghosts": len(set(photos) - set(disk)),
            "stale_size": stale, "unreadable": sum(1 for p in photos.values() if p.error),
            "without_vector": max(0, good - vectors)}


def soak(args) -> dict:
    from lookalike.engine import Library

    tmp = tempfile.TemporaryDirectory(prefix="lookalike-soak-")
    work = Path(tmp.name)
    folder = work / "photos"
    folder.mkdir()
    rng = random.Random(args.seed)
    sources = sorted(p for p in Path(args.photos).rglob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png")) \
        if args.photos else []
    mutator = Mutator(folder, rng, sources)
    for _ in range(args.start_photos):
        mutator.picture(mutator.name(folder))
    library = Library.open(work / "library")
    library.settings.text_search = False
    library.add_folder(folder)
    t0 = time.perf_counter()
    library.scan(model=args.model)
    first_scan = time.perf_counter() - t0
    library.duplicates(tier="near", model=args.model)

    worker = ScanWorker(library, args.model)
    ticker = Ticker(worker.scanning)
    watcher = library.watcher(worker.request, debounce=args.debounce)
    problems = watcher.watch([f.path for f in library.folders()])
    worker.start()
    ticker.start()
    rss_start = rss_mb()
    start = time.perf_counter()
    deadline = start + args.minutes * 60
    while time.perf_counter() < deadline:
        for _ in range(rng.randint(1, args.burst)):   # a burst of changes ...
            mutator.step()
            time.sleep(rng.uniform(0.05, 0.5))
        time.sleep(rng.uniform(0.5, args.pause))       # ... then the user looks at something
    busy_end = time.perf_counter()
    # Quiet period: the debounce fires, the last scans run; idle for two debounces in a row.
    idle_since = None
    while True:
        time.sleep(0.2)
        now = time.perf_counter()
        if worker.idle():
            idle_since = idle_since or now
            if now - idle_since >= max(args.quiet, 2 * args.debounce):
                break
        else:
            idle_since = None
        if now - busy_end > 600:
            break
    settle = time.perf_counter() - busy_end
    ticker.stop.set()
    ticker.join()
    watcher.stop()
    with worker.cond:
        worker.stop = True
        worker.cond.notify()
    worker.join(timeout=60)
    rss_end = rss_mb()
    result = audit(library, folder, args.model)
    rescan = library.scan(model=args.model)
    library.close()
    tmp.cleanup()

    latencies = []
    for when, _kind in mutator.ops:
        # The watcher's next callback carries the change; the first scan started after it took it in.
        called = [c for c in worker.callbacks if c >= when]
        ends = [e for s, e, _ in worker.scans if called and s >= called[0]]
        latencies.append((min(ends) if ends else float("inf")) - when)
    gaps = sorted(ticker.gaps)
    scan_times = [e - s for s, e, _ in worker.scans]
    kinds = {}
    for _, kind in mutator.ops:
        kinds[kind] = kinds.get(kind, 0) + 1
    return {
        "minutes": args.minutes, "model": args.model, "debounce_s": args.debounce, "seed": args.seed,
        "sources": str(args.photos) if args.photos else "generated JPEGs",
        "start_photos": args.start_photos, "first_scan_s": round(first_scan, 2),
        "operations": len(mutator.ops), "by_kind": kinds, "watch_problems": problems,
        "watcher_callbacks": len(worker.callbacks), "scans": len(worker.scans),
        "scan_s_mean": round(sum(scan_times) / len(scan_times), 3) if scan_times else None,
        "scan_s_max": round(max(scan_times), 3) if scan_times else None,
        "regroup_s_max": round(max(worker.regroups), 3) if worker.regroups else None,
        "scan_errors": worker.errors[:10], "scan_error_count": len(worker.errors),
        "change_to_catalog_s_max": round(max(latencies), 2) if latencies else None,
        "change_to_catalog_s_median": round(sorted(latencies)[len(latencies) // 2], 2) if latencies else None,
        "settle_s": round(settle, 1),
        "rss_mb_start": round(rss_start, 1), "rss_mb_end": round(rss_end, 1),
        "rss_mb_peak": round(max(ticker.rss_peak, rss_end), 1), "rss_mb_growth": round(rss_end - rss_start, 1),
        "rss_mb_after_first_watched_scan": round(worker.rss_warm or rss_start, 1),
        "rss_mb_growth_after_warm_up": round(rss_end - (worker.rss_warm or rss_start), 1),
        "rss_mb_every_10s": [round(mb, 1) for _, mb in ticker.rss_timeline],
        "stall_ms_max": round(ticker.worst * 1000, 1), "stall_ms_max_during_scans": round(ticker.worst_busy * 1000, 1),
        "stall_ms_p99": round(gaps[int(len(gaps) * 0.99)] * 1000, 1) if gaps else None,
        "stalls_over_100ms": sum(1 for g in gaps if g > 0.1),
        "audit": result, "full_rescan_found": {k: getattr(rescan, k) for k in ("added", "changed", "moved", "removed")},
    }


def markdown(r: dict) -> str:
    a, f = r["audit"], r["full_rescan_found"]
    lost = a["missing"] + a["ghosts"] + a["stale_size"] + a["without_vector"]
    lines = [
        f"Soak: {r['minutes']:g} min, model {r['model']}, debounce {r['debounce_s']:g} s, {r['sources']}, "
        f"{r['start_photos']} photos to begin with; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}", "",
        "| measure | value |", "|---|---|",
        f"| operations on disk | {r['operations']} ({', '.join(f'{k} {v}' for k, v in sorted(r['by_kind'].items()))}) |",
        f"| watcher callbacks / scans | {r['watcher_callbacks']} / {r['scans']} |",
        f"| scan seconds mean / max | {r['scan_s_mean']} / {r['scan_s_max']} |",
        f"| regroup after a scan, max seconds | {r['regroup_s_max']} |",
        f"| scan errors | {r['scan_error_count']} |",
        f"| change on disk to catalog, median / max seconds | {r['change_to_catalog_s_median']} / {r['change_to_catalog_s_max']} |",
        f"| RSS MB start / end / peak (growth) | {r['rss_mb_start']} / {r['rss_mb_end']} / {r['rss_mb_peak']} ({r['rss_mb_growth']:+}) |",
        f"| RSS MB after the first watched scan, growth since | {r['rss_mb_after_first_watched_scan']} ({r['rss_mb_growth_after_warm_up']:+}) |",
        f"| RSS MB every 10 s | {' '.join(f'{mb:.0f}' for mb in r['rss_mb_every_10s'])} |",
        f"| worst stall of a 10 ms ticker, ms (during scans) | {r['stall_ms_max']} ({r['stall_ms_max_during_scans']}) |",
        f"| ticker stall p99 ms / stalls over 100 ms | {r['stall_ms_p99']} / {r['stalls_over_100ms']} |",
        f"| files on disk / in the catalog after {r['settle_s']} s of quiet | {a['on_disk']} / {a['in_catalog']} |",
        f"| events lost: missing, ghosts, stale sizes, no vector | {a['missing']}, {a['ghosts']}, {a['stale_size']}, {a['without_vector']} (total {lost}) |",
        f"| a full rescan then found: added, changed, moved, removed | {f['added']}, {f['changed']}, {f['moved']}, {f['removed']} |",
    ]
    if r["scan_errors"]:
        lines += ["", "Scan errors (first ones):"] + [f"- {e}" for e in r["scan_errors"]]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--model", default="phash", help="default phash: no weights needed")
    parser.add_argument("--photos", type=Path, help="copy new photos from this folder instead of generating them")
    parser.add_argument("--start-photos", type=int, default=60)
    parser.add_argument("--debounce", type=float, default=2.0, help="the watcher's (the app uses 2 s)")
    parser.add_argument("--burst", type=int, default=8, help="most changes in one burst")
    parser.add_argument("--pause", type=float, default=6.0, help="longest pause between bursts, seconds")
    parser.add_argument("--quiet", type=float, default=5.0, help="idle seconds before the final audit")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    result = soak(args)
    print(markdown(result))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
