"""`lookalike duplicates`, `similar`, `search` and `compare`: what the library finds.

Owns: these commands' text and JSON results. Must not: hold engine logic (the Library does)
or write to the terminal except through the renderer.
"""
from __future__ import annotations

from . import render
from .failures import EXIT_OK


def duplicates(library, args, progress, cancel) -> int:
    groups = library.duplicates(tier=args.tier, threshold=args.threshold, model=args.model,
                                on_progress=progress, cancel=cancel)
    progress.done()
    if args.json:
        # Which thresholds grouped them and whose they are (calibrated, fixed or yours); a
        # --threshold replaces the loosest tier's.
        used = None if args.tier == "exact" else {**library.calibration(args.model).to_dict(),
                                                  "threshold": args.threshold}
        render.emit({"groups": [g.to_dict() for g in groups], "thresholds": used})
        return EXIT_OK
    if not groups:
        render.line("No duplicate groups found.")
    size = render.human_size
    for g in groups:
        render.line(f"{g.tier} · {len(g.files)} files · {size(g.reclaimable_bytes)} reclaimable")
        for f in g.files:
            shape = f"{f.width}×{f.height}" if f.width else "?"
            render.line(f"  {f.similarity:6.3f} {f.match:<9} {shape:>11} {size(f.bytes):>9}  {f.path}")
            for name in f.other_names:   # hardlinks: the same file, not another copy
                render.line(f"  {'':>6} {'':<9} {'':>11} {'':>9}  also named {name}")
    return EXIT_OK


def _results(results, as_json: bool) -> int:
    if as_json:
        render.emit({"results": [r.to_dict() for r in results]})
        return EXIT_OK
    if not results:
        render.line("No results.")
    for r in results:
        render.line(f"{r.score:6.3f}  {r.path}")
    return EXIT_OK


def similar(library, args, progress, cancel) -> int:
    return _results(library.similar(args.image, limit=args.limit, model=args.model,
                                    on_progress=progress, cancel=cancel), args.json)


def search(library, args, progress, cancel) -> int:
    return _results(library.search_text(args.text, limit=args.limit, on_progress=progress,
                                        cancel=cancel), args.json)


def compare(library, args, progress, cancel) -> int:
    result = library.compare(args.a, args.b)
    if args.json:
        render.emit(result.to_dict())
        return EXIT_OK
    if result.identical:
        render.line("The two files are byte-for-byte identical.")
    for s in result.scores:
        render.line(render.score(s))
    return EXIT_OK
