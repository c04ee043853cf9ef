"""`lookalike add`, `remove`, `folders` and `scan`: the library's folders and indexing them.

Owns: these commands' text and JSON results. Must not: hold engine logic (the Library does)
or write to the terminal except through the renderer.
"""
from __future__ import annotations

import os

from ..errors import LookalikeError
from . import render
from .failures import EXIT_OK

SHOWN_ERRORS = 20


def add(library, args, progress, cancel) -> int:
    for folder in args.folders:
        if args.reference:
            note = library.add_reference_folder(folder)
            render.line(f"{os.path.realpath(folder)}: {note}; reference folder (never touched)")
        else:
            record, note = library.add_folder(folder)
            render.line(f"{record.path}: {note}")
    return EXIT_OK


def remove(library, args, progress, cancel) -> int:
    count = library.remove_folder(args.folder)
    render.line(f"Removed {args.folder} from the library ({count} files forgotten; nothing deleted on disk).")
    return EXIT_OK


def folders(library, args, progress, cancel) -> int:
    found = library.folders()
    if args.json:
        render.emit({"folders": [{"path": f.path, "files": f.files} for f in found]})
        return EXIT_OK
    if not found:
        render.line("No folders yet; add one with `lookalike add FOLDER`.")
    for f in found:
        render.line(f"{f.path}\t{f.files} files")
    return EXIT_OK


def scan(library, args, progress, cancel) -> int:
    library.resolve_model_name(args.model)  # a mistyped model is a usage error, whatever else
    if not library.folders():
        raise LookalikeError("The library has no folders; add one with `lookalike add FOLDER`.")
    summary = library.scan(model=args.model, device=args.device, on_progress=progress, cancel=cancel)
    progress.done()
    if args.json:
        render.emit(summary.to_dict())
        return EXIT_OK
    for path, reason in summary.errors[:SHOWN_ERRORS]:
        render.note(f"  skipped {path}: {reason}")
    if len(summary.errors) > SHOWN_ERRORS:
        render.note(f"  ... and {len(summary.errors) - SHOWN_ERRORS} more (use --json for all)")
    for note in summary.notes:
        render.note(f"  note: {note}")
    render.line(f"scan ({', '.join(summary.models)}): {summary.line()}")
    return EXIT_OK
