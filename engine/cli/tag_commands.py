"""`lookalike tag ...` and `lookalike organise`: tags by phrase or example, and sorting into
tag folders.

Owns: these commands' text and JSON results and organise's confirmation rule (the same as
clean's: without --yes and without a terminal to ask, nothing is done). Must not: hold engine
logic (the Library does) or write to the terminal except through the renderer.
"""
from __future__ import annotations

from . import render
from .cleanup_commands import confirmed, status
from .failures import EXIT_FAILURE, EXIT_OK


def _describe(tag) -> str:
    how = f"phrases: {', '.join(tag.phrases)}" if tag.kind == "phrase" else \
        f"{tag.examples} examples, {tag.counterexamples} counter-examples"
    cut = f"cut-off {tag.cutoff:.3f} ({tag.cutoff_source})" if tag.cutoff is not None else "no cut-off yet"
    text = f"{tag.name:<16} {tag.photos:>6} photos  {tag.kind:<7}  {how}; {cut}"
    if tag.quality:
        text += f"; {tag.quality.sentence()}"
    if tag.problem:
        text += f"; not scored: {tag.problem}"
    return text


def define(library, args, progress, cancel) -> int:
    tag = library.define_tag(args.name, phrases=args.phrase or (), examples=args.example or (),
                             not_examples=args.not_examples or (), cutoff=args.cutoff,
                             on_progress=progress, cancel=cancel)
    progress.done()
    if args.json:
        render.emit(tag.to_dict())
    else:
        render.line(f"Defined {_describe(tag)}")
    return EXIT_OK


def list_tags(library, args, progress, cancel) -> int:
    tags = library.tags()
    if args.json:
        render.emit({"tags": [t.to_dict() for t in tags]})
        return EXIT_OK
    if not tags:
        render.line("No tags yet; `lookalike tag define NAME --phrase TEXT` or `--example PHOTO` adds one.")
    for tag in tags:
        render.line(_describe(tag))
    return EXIT_OK


def show(library, args, progress, cancel) -> int:
    photos = library.tag_photos(args.name, limit=args.limit)
    if args.json:
        render.emit({"tag": args.name, "photos": [p.to_dict() for p in photos]})
        return EXIT_OK
    if not photos:
        render.line(f"No photos carry the tag {args.name!r} at its cut-off.")
    for p in photos:
        render.line(f"{p.score:6.3f}{' (you)' if p.manual else '      '}  {p.path}")
    return EXIT_OK


def _corrected(library, args, is_tag: bool) -> int:
    tag = library.correct_tag(args.name, args.paths, is_tag)
    render.line(f"{len(args.paths)} photos {'are' if is_tag else 'are not'} {tag.name} now. {_describe(tag)}")
    return EXIT_OK


def set_tag(library, args, progress, cancel) -> int:
    return _corrected(library, args, True)


def unset_tag(library, args, progress, cancel) -> int:
    return _corrected(library, args, False)


def delete(library, args, progress, cancel) -> int:
    library.delete_tag(args.name)
    render.line(f"Deleted the tag {args.name} (the photos are untouched).")
    return EXIT_OK


def organise(library, args, progress, cancel) -> int:
    plan = library.plan_organise(args.into, tags=args.tag or None)
    progress.done()
    verb = f"Sort into {plan.target}"
    if args.dry_run or not plan.items:
        if args.json:
            render.emit({"dry_run": True, "action": "organise", "into": plan.target,
                         "files": [{"path": i.path, "destination": i.destination} for i in plan.items],
                         "skipped": [{"path": p, "reason": r} for p, r in plan.skipped]})
            return EXIT_OK
        for item in plan.items:
            render.line(f"would move: {item.path} -> {item.destination}")
        for path, reason in plan.skipped:
            render.line(f"skip: {path}: {reason}")
        render.line(f"{verb}: {len(plan.items)} photos (dry run: nothing done)." if plan.items
                    else "No photos to sort: none of the chosen tags has photos that can move.")
        return EXIT_OK
    if not confirmed(args, f"{verb}: move {len(plan.items)} photos into tag folders? [y/N] "):
        return EXIT_FAILURE if not args.yes and not render.can_ask() else EXIT_OK
    report = library.organise(plan, on_progress=progress, cancel=cancel)
    progress.done()
    if args.json:
        render.emit({"batch": report.batch_id, "action": "organise", "into": plan.target,
                     "done": report.done, "failed": report.failed,
                     "skipped": [{"path": p, "reason": r} for p, r in report.skipped],
                     "notes": [{"path": p, "note": n} for p, n in report.notes]})
        return status(report)
    for path, note in report.notes:
        render.note(f"  {path}: {note}")
    for path, reason in report.skipped:
        render.note(f"  skipped {path}: {reason}")
    render.line(f"{verb}: {len(report.done)} photos moved (batch {report.batch_id}; `lookalike undo` "
                f"puts them back){f'; {report.failed} failed' if report.failed else ''}.")
    return status(report)
