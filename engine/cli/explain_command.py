"""`lookalike explain`: a photo's patch map, or why two photos match, written as a picture.

Owns: which picture one, two or several photos give, refusing to write over an existing file,
and the verdict's text and JSON. Must not: hold engine logic (the Library does) or write to the
terminal except through the renderer.
"""
from __future__ import annotations

import os

from ..errors import UsageError
from . import render
from .failures import EXIT_OK


def explain(library, args, progress, cancel) -> int:
    out = os.path.abspath(args.out)
    if os.path.lexists(out):
        raise UsageError(f"{args.out} already exists; choose another name for the picture.")
    if len(args.images) == 2 and not args.patch_map:
        return _match(library, args, out)
    if len(args.images) > 2 and not args.patch_map:
        raise UsageError("Give one photo for its patch map, two for why they match, "
                         "or several with --patch-map.")
    return _patch_maps(library, args, out, progress, cancel)


def _patch_maps(library, args, out: str, progress, cancel) -> int:
    from ..explain import patchmap

    maps = library.patch_maps(args.images, model=args.model, on_progress=progress, cancel=cancel)
    progress.done()
    draw = patchmap.beside if args.beside else patchmap.blended
    pictures = [draw(m.picture, m.layer) for m in maps]
    picture = pictures[0] if len(pictures) == 1 else patchmap.strip(pictures, min(p.height for p in pictures))
    _save(picture, out)
    model = maps[0].model
    if args.json:
        render.emit({"out": out, "model": model, "maps": [m.to_dict() for m in maps]})
        return EXIT_OK
    for m in maps:
        render.line(f"{m.path}: {m.patches[0]}×{m.patches[1]} patches, {m.foreground:.0%} foreground")
    render.line(f"Patch map ({model}) written to {out}")
    return EXIT_OK


def _match(library, args, out: str) -> int:
    from ..explain import overlay

    explanation = library.explain_match(*args.images)
    picture = overlay.draw(explanation, *(library.picture(path, 1600) for path in args.images))
    _save(picture, out)
    if args.json:
        render.emit({**explanation.to_dict(), "out": out})
        return EXIT_OK
    render.line(explanation.words)
    if explanation.transform_words:
        render.line(explanation.transform_words)
    render.line(f"aligned {explanation.aligned:.2f} ({sum(b.aligned for b in explanation.blocks)} of "
                f"{explanation.blocks_counted} textured blocks) · {explanation.inliers} inliers of "
                f"{explanation.matches} keypoint matches")
    if explanation.identical:
        render.line("The two files are byte-for-byte identical.")
    for score in explanation.scores:
        render.line("  " + render.score(score))
    render.line(f"Match overlay written to {out}")
    return EXIT_OK


def _save(picture, out: str) -> None:
    extension = os.path.splitext(out)[1].lower()
    picture.save(out, format=None if extension in (".png", ".jpg", ".jpeg", ".webp") else "PNG")
