"""`lookalike calibrate`: where chance similarity ends for a model in this library.

Owns: the command's text (the calibration's sentence) and JSON. Must not: hold engine logic
(parts/calibrations.py does) or write to the terminal except through the renderer.
"""
from __future__ import annotations

from . import render
from .failures import EXIT_OK


def calibrate(library, args, progress, cancel) -> int:
    calibration = library.calibration(args.model, on_progress=progress, cancel=cancel, refresh=args.refresh)
    progress.done()
    if args.json:
        render.emit(calibration.to_dict())
    else:
        render.line(f"{calibration.model}: {calibration.sentence}.")
    return EXIT_OK
