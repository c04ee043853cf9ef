"""`lookalike models`, `models download` and `models remove`: the model manager on the command line.

Owns: these commands' text and JSON results. Must not: hold engine logic (the Library and
engine/embedding/ do) or write to the terminal except through the renderer.
"""
from __future__ import annotations

from ..sizes import human_size
from . import render
from .failures import EXIT_OK


def models(library, args, progress, cancel) -> int:
    found = library.models()
    if args.json:
        render.emit({"models": [m.to_dict() for m in found]})
        return EXIT_OK
    for m in found:
        state = "present" if m.present else "missing"
        render.line(f"{m.name:<15} {state:<8} {_size(m):<18} {m.purpose}")
        render.line(f"{'':<15} licence: {m.licence}")
        render.line(f"{'':<15} from: {m.origin}")
        render.line(f"{'':<15} {'where' if m.present else 'status'}: {m.source}")
        if m.can_download:
            resume = f" (resumes the {human_size(m.partial_bytes)} already here)" if m.partial_bytes else ""
            render.line(f"{'':<15} get it: lookalike models download {m.name}{resume}")
    return EXIT_OK


def _size(m) -> str:
    if m.present and m.disk_bytes is not None:
        return f"{human_size(m.disk_bytes)} on disk"
    if m.download_bytes:
        return f"~{human_size(m.download_bytes)} download"
    return "built in"


def download(library, args, progress, cancel) -> int:
    where = library.download_model(args.name, on_progress=progress, cancel=cancel)
    progress.done()
    render.line(f"{args.name}: downloaded to {where}")
    return EXIT_OK


def remove(library, args, progress, cancel) -> int:
    render.line(library.remove_model(args.name))
    return EXIT_OK
