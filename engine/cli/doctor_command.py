"""`lookalike doctor [--repair]`: the one command that runs where the Library cannot open.

Owns: doctor's text and JSON results. Must not: hold engine logic (engine/doctor.py checks
and repairs), run SQL, or write to the terminal except through the renderer.
"""
from __future__ import annotations

from pathlib import Path

from . import render
from .failures import EXIT_FAILURE, EXIT_OK


def doctor(library_dir: Path, args, progress, cancel) -> int:
    from .. import doctor as checks

    health = (checks.repair(library_dir, args.model_dir, on_progress=progress, cancel=cancel)
              if args.repair else checks.check(library_dir))
    progress.done()
    if not health.healthy:  # the one sentence on stderr; the report itself on stdout
        render.error(health.problem())
    status = EXIT_OK if health.healthy else EXIT_FAILURE
    if args.json:
        render.emit(health.to_dict())
        return status
    for text in health.repaired:
        render.line(text)
    if health.catalog == "none":
        render.line(f"No catalog yet in {library_dir}; add a folder with `lookalike add FOLDER`.")
    elif health.catalog == "ok" and health.bad_vectors:
        render.line(f"catalog damaged: {health.problem()}")
    elif health.catalog == "ok":
        render.line(f"catalog ok (schema {health.schema_version}): {library_dir}")
    else:
        render.line(f"catalog {health.catalog}: {health.catalog_problem}")
    for path, state in health.indexes.items():
        render.line(f"index {state}: {path}")
    render.line(f"{len(health.backups)} backup(s)" + (f", newest {health.backups[0]}" if health.backups else ""))
    for text in health.notes:
        render.line(f"note: {text}")
    return status
