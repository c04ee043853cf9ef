"""The `ignore` command: remember that photos are not duplicates, or to keep them all.

Owns: its text and JSON results. Must not: hold engine logic (the Library's decisions part
does) or write to the terminal except through the renderer.
"""
from __future__ import annotations

import time

from ..errors import UsageError
from . import render
from .failures import EXIT_OK

WORDS = {"different": "not duplicates", "keep_all": "keep all"}


def ignore(library, args, progress, cancel) -> int:
    if args.list:
        return _listing(library, args)
    if args.clear:
        count = library.decisions.clear(args.paths)
        render.line(f"Forgot {count} decision{'s' if count != 1 else ''}; the photos' groups show again.")
        return EXIT_OK
    if len(args.paths) < 2:
        raise UsageError("Name two or more photos: `lookalike ignore A B [C...]`.")
    decision = library.decisions.decide(args.paths, "keep_all" if args.keep_all else "different")
    if args.json:
        render.emit(decision.to_dict())
        return EXIT_OK
    what = ("they are copies, and all are kept" if decision.kind == "keep_all"
            else "they are different photos")
    render.line(f"Remembered that {what} ({len(args.paths)} files, decision {decision.id}); their "
                "group no longer shows. `lookalike ignore --clear` with the same files undoes it.")
    return EXIT_OK


def _listing(library, args) -> int:
    decisions = library.decisions.all()
    if args.json:
        render.emit({"decisions": [d.to_dict() for d in decisions]})
        return EXIT_OK
    if not decisions:
        render.line("No decisions yet.")
    for d in decisions:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(d.created_at))
        gone = f" ({d.missing} no longer in the library)" if d.missing else ""
        render.line(f"decision {d.id}  {when}  {WORDS[d.kind]}{gone}")
        for path in d.photos:
            render.line(f"    {path}")
    return EXIT_OK
