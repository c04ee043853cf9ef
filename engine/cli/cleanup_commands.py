"""The clean-up commands: keep, series, mark, clean, undo, recover, history and presets.

Owns: their text and JSON results and the confirmation rule (without --yes and without a
terminal to ask, `clean` does nothing and says so). Must not: hold engine logic (the Library
and engine/actions/ do) or write to the terminal except through the renderer.
"""
from __future__ import annotations

import time

from ..dedup import series as burst
from ..dedup.keep import parse_rule
from ..errors import LookalikeError, UsageError
from . import render
from .failures import EXIT_FAILURE, EXIT_OK


def keep(library, args, progress, cancel) -> int:
    pairs = library.proposals(args.preset, tier=args.tier, on_progress=progress, cancel=cancel)
    progress.done()
    if args.json:
        render.emit({"groups": [{"tier": g.tier, "keep": p.keeper.path, "reason": p.reason,
                                 "remove": [f.path for f in p.remove],
                                 "reference": [f.path for f in p.protected]} for g, p in pairs]})
        return EXIT_OK
    for group, p in pairs:
        render.line(f"{group.tier} · keep {p.keeper.path}  ({p.reason})")
        for f in p.remove:
            render.line(f"    remove {f.path}")
        for f in p.protected:
            if f is not p.keeper:
                render.line(f"    reference {f.path}")
    if not pairs:
        render.line("No duplicate groups found.")
    return EXIT_OK


def series(library, args, progress, cancel) -> int:
    if args.keep_best is not None and args.keep_best < 1:
        raise UsageError("--keep-best needs at least 1: a series never loses its last frame.")
    found = library.series(on_progress=progress, cancel=cancel)
    progress.done()
    marks = []
    if args.keep_best:
        marks = [(f.file_id, m) for _, ranked in found for f, m in burst.keep_best(ranked, args.keep_best)]
        library.set_marks(marks)
    if args.json:
        render.emit({"series": [{"frames": [{"path": f.path, "taken_at": f.taken_at,
                                             "quality": q.__dict__ if q else None} for f, q in ranked]}
                                for _, ranked in found],
                     "marked_remove": sum(1 for _, m in marks if m == "remove")})
        return EXIT_OK
    for n, (_, ranked) in enumerate(found, 1):
        render.line(f"series {n} · {len(ranked)} frames, best first")
        for f, q in ranked:
            render.line(f"    {f.path}  ({q.describe() if q else 'could not be measured'})")
    if marks:
        removing = sum(1 for _, m in marks if m == "remove")
        render.line(f"Marked {removing} frames for removal and {len(marks) - removing} to keep; "
                    "`lookalike clean` acts on the marks.")
    if not found:
        render.line("No burst series found (similar photos with capture times within seconds).")
    return EXIT_OK


def mark(library, args, progress, cancel) -> int:
    if args.mark == "auto":
        kept, removing = library.mark_proposals(args.preset, tier=args.tier, on_progress=progress, cancel=cancel)
        render.line(f"Marked {removing} files for removal and {kept} to keep.")
        return EXIT_OK
    if args.mark == "clear" and not args.paths:
        render.line(f"Cleared {library.clear_marks()} marks.")
        return EXIT_OK
    if not args.paths:
        raise LookalikeError("Name the files to mark.")
    count = library.mark(args.paths, None if args.mark == "clear" else args.mark)
    render.line(f"Cleared {count} files." if args.mark == "clear" else f"Marked {count} files {args.mark}.")
    return EXIT_OK


def clean(library, args, progress, cancel) -> int:
    action = "trash" if args.trash else "move" if args.move_to else "hardlink"
    if args.in_file and not args.merge_metadata:
        raise LookalikeError("--in-file says where --merge-metadata writes; add --merge-metadata.")
    merge = ("file" if args.in_file else "sidecar") if args.merge_metadata else None
    plan = library.plan_clean(action, target=args.move_to, preset=args.preset, merge_metadata=merge)
    verb = {"trash": "Move to the trash", "move": f"Move to {args.move_to}",
            "hardlink": "Replace with hardlinks"}[action]
    freed, count = render.human_size(plan.bytes_freed), len(plan.files)
    merging = f", first copying metadata into {len(plan.merges)} kept files" if plan.merges else ""
    if args.dry_run or not plan.items:
        if args.json:
            render.emit({"dry_run": True, "action": action, "bytes_freed": plan.bytes_freed,
                         "files": [{"path": i.path, "bytes": i.size, "destination": i.destination}
                                   for i in plan.files],
                         "merges": [_merge_json(step) for step in plan.merges],
                         "notes": [{"path": p, "note": n} for p, n in plan.notes],
                         "skipped": [{"path": p, "reason": r} for p, r in plan.skipped]})
            return EXIT_OK
        for step in plan.merges:
            where = "into the file itself" if step.mode == "file" else f"into its sidecar {step.path}"
            render.line(f"would copy into {step.plan.keeper} ({where}):")
            for line in step.plan.lines:
                render.line(f"    {line}")
        for item in plan.files:
            render.line(f"would {action}: {item.path}" + (f" -> {item.destination}" if item.destination else ""))
        for path, note in plan.notes:
            render.line(f"note: {path}: {note}")
        for path, reason in plan.skipped:
            render.line(f"skip: {path}: {reason}")
        render.line(f"{verb}: {count} files, {freed} freed{merging} (dry run: nothing done).")
        return EXIT_OK
    if not confirmed(args, f"{verb}: {count} files, {freed}{merging}? [y/N] "):
        return EXIT_FAILURE if not args.yes and not render.can_ask() else EXIT_OK
    report = library.clean(plan, on_progress=progress, cancel=cancel)
    progress.done()
    if args.json:
        render.emit({"batch": report.batch_id, "action": action, "done": report.done,
                     "merged_into": report.merged,
                     "bytes_freed": report.bytes_freed, "failed": report.failed,
                     "skipped": [{"path": p, "reason": r} for p, r in report.skipped]})
        return status(report)
    for path, reason in report.skipped:
        render.note(f"  skipped {path}: {reason}")
    merged = f"; metadata copied into {len(report.merged)} kept files" if report.merged else ""
    render.line(f"{verb}: {len(report.done)} files, {render.human_size(report.bytes_freed)} freed{merged} "
                f"(batch {report.batch_id}; `lookalike undo` puts them back)"
                f"{f'; {report.failed} failed' if report.failed else ''}.")
    return status(report)


def _merge_json(step) -> dict:
    return {"keeper": step.plan.keeper, "writes": step.path, "mode": step.mode, "copies": step.plan.lines,
            "fields": {k: list(v) if isinstance(v, tuple) else v for k, v in step.plan.fields.items()},
            "from": step.plan.sources}


def confirmed(args, question: str) -> bool:
    """--yes, or a yes on the terminal. Without either nothing is done, and that is said."""
    if args.yes:
        return True
    if not render.can_ask():
        render.error("nothing was done: add --yes to confirm (no terminal to ask).")
        return False
    if not render.ask(question):
        render.line("Nothing was done.")
        return False
    return True


def status(report) -> int:
    """1 when a file could not be handled (the journal says which), else 0."""
    return EXIT_FAILURE if report.failed else EXIT_OK


def report_notes(report) -> None:
    for path, reason in report.notes:
        render.note(f"  found {path}: {reason}")


def _restored(report, args) -> int:
    if getattr(args, "json", False):
        render.emit({"batch": report.batch_id, "restored": report.done,
                     "failed": [{"path": p, "reason": r} for p, r in report.skipped],
                     "left_alone": [{"path": p, "reason": r} for p, r in report.notes]})
    else:
        report_notes(report)
        for path, reason in report.skipped:
            render.note(f"  not restored {path}: {reason}")
        render.line(f"Restored {len(report.done)} files from batch {report.batch_id}"
                    f"{'' if not report.skipped else f'; {len(report.skipped)} could not be restored'}.")
    return EXIT_OK if not report.skipped else EXIT_FAILURE


def undo(library, args, progress, cancel) -> int:
    return _restored(library.undo(on_progress=progress, cancel=cancel), args)


def recover(library, args, progress, cancel) -> int:
    report = library.recover(args.mode, on_progress=progress, cancel=cancel)
    if args.mode == "complete":
        report_notes(report)
        for path, reason in report.skipped:
            render.note(f"  skipped {path}: {reason}")
        render.line(f"Completed batch {report.batch_id}: {len(report.done)} more files handled"
                    f"{f'; {report.failed} could not be handled' if report.failed else ''}.")
        return status(report)
    return _restored(report, args)


def history(library, args, progress, cancel) -> int:
    rows = library.history()
    if args.json:
        render.emit({"batches": [{"batch": b.id, "action": b.action, "state": b.state,
                                  "started_at": b.started_at, "entries": counts} for b, counts in rows]})
        return EXIT_OK
    if not rows:
        render.line("No clean-ups yet.")
    for b, counts in rows:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(b.started_at))
        summary = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
        render.line(f"batch {b.id}  {when}  {b.action:<8} {b.state:<11} {summary}")
    return EXIT_OK


def presets(library, args, progress, cancel) -> int:
    found = library.presets()
    if args.json:
        render.emit({"presets": found})
        return EXIT_OK
    for name, rules in found.items():
        parts = [r["rule"] + ("=" + ",".join(r["order"]) if r.get("order") else "") for r in rules]
        render.line(f"{name:<14} {' > '.join(parts)}")
    return EXIT_OK


def save_preset(library, args, progress, cancel) -> int:
    library.save_preset(args.name, [parse_rule(r) for r in args.rules])
    render.line(f"Saved preset {args.name}.")
    return EXIT_OK


def delete_preset(library, args, progress, cancel) -> int:
    library.delete_preset(args.name)
    render.line(f"Deleted preset {args.name}.")
    return EXIT_OK
