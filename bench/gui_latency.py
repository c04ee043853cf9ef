"""How responsive the desktop app stays while it indexes a folder.

Opens the real main window offscreen on a fresh library, lets it paint and settle as the app
does at start-up, adds the folder, and while the scan runs (decode pool + model + catalog
writes on worker threads) measures the event loop's latency: a 10 ms timer records how late
each tick fires. Reports median, p99 and worst delay,
and the number of stalls over 100 ms.

    QT_QPA_PLATFORM=offscreen python bench/gui_latency.py ../shared/photos --model sscd
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--model", default="sscd")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtCore import QElapsedTimer, QTimer

    from lookalike.desktop.app import make_application, settle_heap
    from lookalike.desktop.main_window import MainWindow
    from lookalike.engine import Library

    app = make_application(["lookalike-bench"])
    with tempfile.TemporaryDirectory() as tmp:
        library = Library.open(tmp)
        library.settings.model = args.model
        library.embedder(args.model)  # model loading happens once, before the measurement
        window = MainWindow(library, watch=False)
        window.resize(1280, 820)
        window.show()
        shown = time.perf_counter()
        while time.perf_counter() - shown < 0.5:   # the first paint is start-up, not indexing
            app.processEvents()
            time.sleep(0.01)
        settle_heap()   # as the app does once its window is up
        delays: list[float] = []
        clock = QElapsedTimer()
        clock.start()
        last = [clock.elapsed()]

        def tick():
            now = clock.elapsed()
            delays.append(max(0.0, now - last[0] - 10))
            last[0] = now

        timer = QTimer()
        timer.setInterval(10)
        timer.timeout.connect(tick)
        finished = []
        window.scan_finished.connect(finished.append)
        timer.start()
        started = time.perf_counter()
        window.add_folder(str(args.folder))
        while not finished or not window.runner.idle:
            app.processEvents()
            time.sleep(0.001)
            if time.perf_counter() - started > 600:
                print("gui_latency: the scan did not finish in 10 minutes", file=sys.stderr)
                return 1
        seconds = time.perf_counter() - started
        timer.stop()
        window.close()
        library.close()
    summary = finished[0]
    ordered = sorted(delays)
    result = {"model": args.model, "photos": summary.added, "scan_seconds": round(seconds, 2),
              "ticks": len(delays), "median_ms": statistics.median(ordered),
              "p99_ms": ordered[int(0.99 * (len(ordered) - 1))], "max_ms": ordered[-1],
              "stalls_over_100ms": sum(1 for d in ordered if d > 100)}
    print(f"indexed {result['photos']} photos with {args.model} in {result['scan_seconds']} s; GUI "
          f"event-loop delay: median {result['median_ms']:.0f} ms, p99 {result['p99_ms']:.0f} ms, "
          f"worst {result['max_ms']:.0f} ms late; {result['stalls_over_100ms']} stalls over 100 ms "
          f"({result['ticks']} ticks)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
