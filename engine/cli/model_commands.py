"""`lookalike models` and `models download`: which models are present, and fetching one.

Owns: these commands' text and JSON results. Must not: hold engine logic (the Library and
engine/embedding/ do) or write to the terminal except through the renderer.
"""
from __future__ import annotations

from . import render
from .failures import EXIT_OK


def models(library, args, progress, cancel) -> int:
    found = library.models()
    if args.json:
        render.emit({"models": [m.to_dict() for m in found]})
        return EXIT_OK
    for m in found:
        state = "present" if m.present else "missing"
        render.line(f"{m.name:<13} {state:<8} {m.source}")
    return EXIT_OK


def download(library, args, progress, cancel) -> int:
    folder = library.download_model(args.name, on_progress=progress, cancel=cancel)
    progress.done()
    render.line(f"{args.name}: downloaded to {folder}")
    return EXIT_OK
