"""The `lookalike` clean-up commands: keep, mark, clean, undo, recover, history, presets.

Owns: their text and JSON output and the confirmation rule (without --yes and without a
terminal to ask, `clean` does nothing and says so). Must not: hold engine logic.
"""
from __future__ import annotations

import json
import sys
import time

from .dedup.keep import parse_rule
from .errors import LookalikeError


def _emit(data) -> None:
    sys.stdout.write(json.dumps(data, indent=2) + "\n")


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


def cmd_keep(library, args, progress, cancel) -> int:
    pairs = library.proposals(args.preset, tier=args.tier, on_progress=progress, cancel=cancel)
    progress.done()
    if args.json:
        _emit({"groups": [{"tier": g.tier, "keep": p.keeper.path, "reason": p.reason,
                           "remove": [f.path for f in p.remove],
                           "reference": [f.path for f in p.protected]} for g, p in pairs]})
        return 0
    for group, p in pairs:
        print(f"{group.tier} · keep {p.keeper.path}  ({p.reason})")
        for f in p.remove:
            print(f"    remove {f.path}")
        for f in p.protected:
            if f is not p.keeper:
                print(f"    reference {f.path}")
    if not pairs:
        print("No duplicate groups found.")
    return 0


def cmd_mark(library, args, progress, cancel) -> int:
    if args.mark == "auto":
        kept, removing = library.mark_proposals(args.preset, tier=args.tier)
        print(f"Marked {removing} files for removal and {kept} to keep.")
        return 0
    if args.mark == "clear" and not args.paths:
        print(f"Cleared {library.clear_marks()} marks.")
        return 0
    if not args.paths:
        raise LookalikeError("Name the files to mark.")
    count = library.mark(args.paths, None if args.mark == "clear" else args.mark)
    print(f"{'Cleared' if args.mark == 'clear' else 'Marked'} {count} files{'' if args.mark == 'clear' else ' ' + args.mark}.")
    return 0


def cmd_clean(library, args, progress, cancel) -> int:
    action = "trash" if args.trash else "move" if args.move_to else "hardlink"
    plan = library.plan_clean(action, target=args.move_to, preset=args.preset)
    verb = {"trash": "Move to the trash", "move": f"Move to {args.move_to}",
            "hardlink": "Replace with hardlinks"}[action]
    if args.dry_run or not plan.items:
        if args.json:
            _emit({"dry_run": True, "action": action, "bytes_freed": plan.bytes_freed,
                   "files": [{"path": i.path, "bytes": i.size, "destination": i.destination}
                             for i in plan.items],
                   "skipped": [{"path": p, "reason": r} for p, r in plan.skipped]})
            return 0
        for item in plan.items:
            print(f"would {action}: {item.path}" + (f" -> {item.destination}" if item.destination else ""))
        for path, reason in plan.skipped:
            print(f"skip: {path}: {reason}")
        print(f"{verb}: {len(plan.items)} files, {_mb(plan.bytes_freed)} freed (dry run: nothing done).")
        return 0
    if not args.yes:
        if not sys.stdin.isatty():
            sys.stderr.write("lookalike: nothing was done: add --yes to confirm (no terminal to ask).\n")
            return 1
        answer = input(f"{verb}: {len(plan.items)} files, {_mb(plan.bytes_freed)}? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing was done.")
            return 0
    report = library.clean(plan, on_progress=progress, cancel=cancel)
    progress.done()
    if args.json:
        _emit({"batch": report.batch_id, "action": action, "done": report.done,
               "bytes_freed": report.bytes_freed, "failed": report.failed,
               "skipped": [{"path": p, "reason": r} for p, r in report.skipped]})
        return _status(report)
    for path, reason in report.skipped:
        sys.stderr.write(f"  skipped {path}: {reason}\n")
    print(f"{verb}: {len(report.done)} files, {_mb(report.bytes_freed)} freed "
          f"(batch {report.batch_id}; `lookalike undo` puts them back)"
          f"{f'; {report.failed} failed' if report.failed else ''}.")
    return _status(report)


def _status(report) -> int:
    """1 when a file could not be handled (the journal says which), else 0."""
    return 1 if report.failed else 0


def _notes(report) -> None:
    for path, reason in report.notes:
        sys.stderr.write(f"  found {path}: {reason}\n")


def _restored(report, args) -> int:
    if getattr(args, "json", False):
        _emit({"batch": report.batch_id, "restored": report.done,
               "failed": [{"path": p, "reason": r} for p, r in report.skipped],
               "left_alone": [{"path": p, "reason": r} for p, r in report.notes]})
    else:
        _notes(report)
        for path, reason in report.skipped:
            sys.stderr.write(f"  not restored {path}: {reason}\n")
        print(f"Restored {len(report.done)} files from batch {report.batch_id}"
              f"{'' if not report.skipped else f'; {len(report.skipped)} could not be restored'}.")
    return 0 if not report.skipped else 1


def cmd_undo(library, args, progress, cancel) -> int:
    return _restored(library.undo(on_progress=progress, cancel=cancel), args)


def cmd_recover(library, args, progress, cancel) -> int:
    report = library.recover(args.mode, on_progress=progress, cancel=cancel)
    if args.mode == "complete":
        _notes(report)
        for path, reason in report.skipped:
            sys.stderr.write(f"  skipped {path}: {reason}\n")
        print(f"Completed batch {report.batch_id}: {len(report.done)} more files handled"
              f"{f'; {report.failed} could not be handled' if report.failed else ''}.")
        return _status(report)
    return _restored(report, args)


def cmd_history(library, args, progress, cancel) -> int:
    rows = library.history()
    if args.json:
        _emit({"batches": [{"batch": b.id, "action": b.action, "state": b.state,
                            "started_at": b.started_at, "entries": counts} for b, counts in rows]})
        return 0
    if not rows:
        print("No clean-ups yet.")
    for b, counts in rows:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(b.started_at))
        summary = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
        print(f"batch {b.id}  {when}  {b.action:<8} {b.state:<11} {summary}")
    return 0


def cmd_presets(library, args, progress, cancel) -> int:
    if args.presets_command == "save":
        library.save_preset(args.name, [parse_rule(r) for r in args.rules])
        print(f"Saved preset {args.name}.")
        return 0
    if args.presets_command == "delete":
        library.delete_preset(args.name)
        print(f"Deleted preset {args.name}.")
        return 0
    presets = library.presets()
    if args.json:
        _emit({"presets": presets})
        return 0
    for name, rules in presets.items():
        parts = [r["rule"] + ("=" + ",".join(r["order"]) if r.get("order") else "") for r in rules]
        print(f"{name:<14} {' > '.join(parts)}")
    return 0
