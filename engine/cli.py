"""The `lookalike` command: a thin shell over Library, with text or JSON output.

Owns: argument parsing, rendering progress on stderr (only when it is a terminal; waiting for a
busy library is always said), output formats and exit codes (0 ok, 1 failure, 2 usage, 3 model
unavailable). Errors are one sentence on stderr. Must not: hold engine logic; anything a
script needs is in --json output.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Optional, Sequence

from . import cli_doctor
from .catalog.backup import DATABASE_ERRORS, describe as describe_catalog_error
from .catalog.store import CATALOG_FILE
from .errors import LookalikeError, ModelUnavailable, UsageError
from .jobs import CancelToken, JobCancelled, Progress
from .lock import describe_process

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_MODEL = 0, 1, 2, 3


class TerminalProgress:
    """One self-redrawing line on stderr; silent when stderr is not a terminal."""

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self._width = 0
        self._waiting = ""

    def __call__(self, p: Progress) -> None:
        if p.phase == "waiting":
            # Said once, terminal or not: a command that seems stuck must say why.
            if p.message != self._waiting:
                self.done()
                self.stream.write(f"lookalike: {p.message}\n")
                self.stream.flush()
                self._waiting = p.message
            return
        if not self.enabled:
            return
        if p.total:
            filled = int(24 * (p.fraction or 0))
            text = f"{p.phase:<10} [{'#' * filled}{'.' * (24 - filled)}] {p.done}/{p.total}"
        else:
            text = f"{p.phase:<10} {p.done}"
        if p.rate:
            text += f"  {p.rate:.1f}/s"
        if p.eta is not None and p.total and p.done < p.total:
            text += f"  ETA {_duration(p.eta)}"
        self.stream.write("\r" + text.ljust(self._width))
        self.stream.flush()
        self._width = len(text)

    def done(self) -> None:
        if self.enabled and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one sentence, exit 2
        self.exit(EXIT_USAGE, f"lookalike: usage error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="lookalike", description="Find duplicate and similar photos, and "
                     "search a photo library by example or by phrase.")
    parser.add_argument("--library", metavar="DIR", help="library folder (default: "
                        "$LOOKALIKE_LIBRARY or the per-user data folder)")
    parser.add_argument("--model-dir", metavar="DIR", help="folder holding models as "
                        "DIR/<hub id>/ (e.g. DIR/facebook/dinov2-small/)")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    add = commands.add_parser("add", help="add photo folders to the library")
    add.add_argument("folders", nargs="+", metavar="FOLDER")
    add.add_argument("--reference", action="store_true", help="mark the folders as reference: "
                     "their files are never proposed for removal nor touched")
    remove = commands.add_parser("remove", help="forget a folder (photos on disk are untouched)")
    remove.add_argument("folder", metavar="FOLDER")
    folders = commands.add_parser("folders", help="list the library's folders")
    folders.add_argument("--json", action="store_true")

    scan = commands.add_parser("scan", help="index new and changed photos")
    scan.add_argument("--model", help="model for duplicates (default: the last scan's; "
                      "'auto' picks the best available)")
    scan.add_argument("--device", choices=("auto", "cpu", "cuda", "mps"))
    scan.add_argument("--json", action="store_true", help="print the summary as JSON")

    dup = commands.add_parser("duplicates", help="list groups of duplicate photos")
    dup.add_argument("--tier", default="near", choices=("exact", "near", "similar", "all"),
                     help="loosest tier to report (default: near, which includes exact copies)")
    dup.add_argument("--threshold", type=float, help="cosine threshold of that tier")
    dup.add_argument("--model")
    dup.add_argument("--json", action="store_true")

    similar = commands.add_parser("similar", help="photos similar to an image")
    similar.add_argument("image", metavar="IMAGE")
    similar.add_argument("--limit", type=int, default=20)
    similar.add_argument("--model")
    similar.add_argument("--json", action="store_true")

    search = commands.add_parser("search", help="find photos by a phrase (CLIP)")
    search.add_argument("text", metavar="TEXT")
    search.add_argument("--limit", type=int, default=20)
    search.add_argument("--json", action="store_true")

    compare = commands.add_parser("compare", help="how alike two photos are")
    compare.add_argument("a", metavar="A")
    compare.add_argument("b", metavar="B")
    compare.add_argument("--json", action="store_true")

    models = commands.add_parser("models", help="list models, or download one")
    models.add_argument("--json", action="store_true")
    models_sub = models.add_subparsers(dest="models_command", parser_class=_Parser)
    download = models_sub.add_parser("download", help="download a model from the Hugging Face hub")
    download.add_argument("name", metavar="NAME")
    _add_cleanup_commands(commands)
    cli_doctor.add_parser(commands)
    return parser


def _add_cleanup_commands(commands) -> None:
    keep = commands.add_parser("keep", help="show which copy of each group the rules would keep")
    keep.add_argument("--preset")
    keep.add_argument("--tier", default="near", choices=("exact", "near", "similar", "all"))
    keep.add_argument("--json", action="store_true")

    mark = commands.add_parser("mark", help="mark files keep/remove, or mark every group by a preset")
    how = mark.add_mutually_exclusive_group(required=True)
    how.add_argument("--keep", action="store_const", const="keep", dest="mark")
    how.add_argument("--remove", action="store_const", const="remove", dest="mark")
    how.add_argument("--clear", action="store_const", const="clear", dest="mark")
    how.add_argument("--auto", action="store_const", const="auto", dest="mark",
                     help="keep what the preset proposes, mark the rest for removal")
    mark.add_argument("paths", nargs="*", metavar="PATH")
    mark.add_argument("--preset")
    mark.add_argument("--tier", default="near", choices=("exact", "near", "similar", "all"))

    clean = commands.add_parser("clean", help="trash, move or hardlink the files marked for removal")
    action = clean.add_mutually_exclusive_group(required=True)
    action.add_argument("--trash", action="store_true")
    action.add_argument("--move-to", metavar="DIR")
    action.add_argument("--hardlink", action="store_true")
    clean.add_argument("--dry-run", action="store_true")
    clean.add_argument("--yes", action="store_true", help="do it without asking")
    clean.add_argument("--preset")
    clean.add_argument("--json", action="store_true")

    for name, text in (("undo", "put back the files of the last clean-up"),
                       ("history", "list past clean-ups")):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--json", action="store_true")
    recover = commands.add_parser("recover", help="finish or roll back an interrupted clean-up")
    mode = recover.add_mutually_exclusive_group(required=True)
    mode.add_argument("--complete", action="store_const", const="complete", dest="mode")
    mode.add_argument("--rollback", action="store_const", const="rollback", dest="mode")

    presets = commands.add_parser("presets", help="list keep-best presets, or save/delete one")
    presets.add_argument("--json", action="store_true")
    presets_sub = presets.add_subparsers(dest="presets_command", parser_class=_Parser)
    save = presets_sub.add_parser("save", help="save a preset: NAME RULE... (e.g. formats=HEIF,JPEG)")
    save.add_argument("name")
    save.add_argument("rules", nargs="+", metavar="RULE")
    delete = presets_sub.add_parser("delete")
    delete.add_argument("name")


def main(argv: Optional[Sequence[str]] = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            # Filenames that are not valid UTF-8 print as the bytes they are.
            stream.reconfigure(errors="surrogateescape")
    args = build_parser().parse_args(argv)
    progress = TerminalProgress()
    cancel = CancelToken()
    describe_process(f"lookalike {args.command}", on_wait=progress)
    try:
        return _run(args, progress, cancel)
    except ModelUnavailable as exc:
        return _fail(progress, str(exc), EXIT_MODEL)
    except UsageError as exc:
        return _fail(progress, str(exc), EXIT_USAGE)
    except LookalikeError as exc:
        return _fail(progress, str(exc), EXIT_FAILURE)
    except (KeyboardInterrupt, JobCancelled):
        return _fail(progress, "Cancelled; everything done so far is saved.", 130)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except DATABASE_ERRORS as exc:  # damage met mid-command, after the catalog opened
        catalog = cli_doctor.library_dir_of(args) / CATALOG_FILE
        return _fail(progress, describe_catalog_error(catalog, exc), EXIT_FAILURE)
    except OSError as exc:
        return _fail(progress, cli_doctor.os_sentence(exc), EXIT_FAILURE)
    except Exception as exc:  # noqa: BLE001 - a bug: one line here, the traceback in the log
        return _fail(progress, cli_doctor.report_bug(cli_doctor.library_dir_of(args), exc), EXIT_FAILURE)
    finally:
        progress.done()


def _fail(progress: TerminalProgress, message: str, code: int) -> int:
    progress.done()
    message = " ".join(str(message).split())  # one line, whatever the reason's text holds
    sys.stderr.write(f"lookalike: {message}\n")
    return code


def _emit(data) -> None:
    sys.stdout.write(json.dumps(data, indent=2) + "\n")


def _run(args, progress: TerminalProgress, cancel: CancelToken) -> int:
    from . import cli_cleanup
    from .library import Library

    if args.command == "doctor":  # works where Library.open cannot: a damaged catalog
        return cli_doctor.cmd_doctor(cli_doctor.library_dir_of(args), args, progress, cancel)
    with Library.open(args.library, model_dir=args.model_dir) as library:
        if library.interrupted() and args.command not in ("recover", "undo", "history"):
            sys.stderr.write("lookalike: note: an earlier clean-up was interrupted; run `lookalike "
                             "recover --complete` or `lookalike recover --rollback`.\n")
        handler = globals().get(f"_cmd_{args.command}") or getattr(cli_cleanup, f"cmd_{args.command}")
        return handler(library, args, progress, cancel)


def _cmd_add(library, args, progress, cancel) -> int:
    for folder in args.folders:
        if args.reference:
            note = library.add_reference_folder(folder)
            print(f"{os.path.realpath(folder)}: {note}; reference folder (never touched)")
        else:
            record, note = library.add_folder(folder)
            print(f"{record.path}: {note}")
    return EXIT_OK


def _cmd_remove(library, args, progress, cancel) -> int:
    count = library.remove_folder(args.folder)
    print(f"Removed {args.folder} from the library ({count} files forgotten; nothing deleted on disk).")
    return EXIT_OK


def _cmd_folders(library, args, progress, cancel) -> int:
    folders = library.folders()
    if args.json:
        _emit({"folders": [{"path": f.path, "files": f.files} for f in folders]})
    elif not folders:
        print("No folders yet; add one with `lookalike add FOLDER`.")
    for f in folders if not args.json else []:
        print(f"{f.path}\t{f.files} files")
    return EXIT_OK


def _cmd_scan(library, args, progress, cancel) -> int:
    library.resolve_model_name(args.model)  # a mistyped model is a usage error, whatever else
    if not library.folders():
        raise LookalikeError("The library has no folders; add one with `lookalike add FOLDER`.")
    summary = library.scan(model=args.model, device=args.device, on_progress=progress, cancel=cancel)
    progress.done()
    if args.json:
        _emit(summary.to_dict())
        return EXIT_OK
    for path, reason in summary.errors[:20]:
        sys.stderr.write(f"  skipped {path}: {reason}\n")
    if len(summary.errors) > 20:
        sys.stderr.write(f"  ... and {len(summary.errors) - 20} more (use --json for all)\n")
    for note in summary.notes:
        sys.stderr.write(f"  note: {note}\n")
    print(f"scan ({', '.join(summary.models)}): {summary.line()}")
    return EXIT_OK


def _cmd_duplicates(library, args, progress, cancel) -> int:
    groups = library.duplicates(tier=args.tier, threshold=args.threshold, model=args.model,
                                on_progress=progress, cancel=cancel)
    progress.done()
    if args.json:
        _emit({"groups": [g.to_dict() for g in groups]})
        return EXIT_OK
    if not groups:
        print("No duplicate groups found.")
    for g in groups:
        print(f"{g.tier} · {len(g.files)} files · {_size(g.reclaimable_bytes)} reclaimable")
        for f in g.files:
            size = f"{f.width}×{f.height}" if f.width else "?"
            print(f"  {f.similarity:6.3f} {f.match:<9} {size:>11} {_size(f.bytes):>9}  {f.path}")
            for name in f.other_names:   # hardlinks: the same file, not another copy
                print(f"  {'':>6} {'':<9} {'':>11} {'':>9}  also named {name}")
    return EXIT_OK


def _print_results(results, as_json: bool) -> None:
    if as_json:
        _emit({"results": [r.to_dict() for r in results]})
        return
    if not results:
        print("No results.")
    for r in results:
        print(f"{r.score:6.3f}  {r.path}")


def _cmd_similar(library, args, progress, cancel) -> int:
    _print_results(library.similar(args.image, limit=args.limit, model=args.model,
                                   on_progress=progress, cancel=cancel), args.json)
    return EXIT_OK


def _cmd_search(library, args, progress, cancel) -> int:
    _print_results(library.search_text(args.text, limit=args.limit, on_progress=progress,
                                       cancel=cancel), args.json)
    return EXIT_OK


def _cmd_compare(library, args, progress, cancel) -> int:
    result = library.compare(args.a, args.b)
    if args.json:
        _emit(result.to_dict())
        return EXIT_OK
    if result.identical:
        print("The two files are byte-for-byte identical.")
    for s in result.scores:
        if s.similarity is None:
            print(f"{s.model:<13} {s.verdict}")
        else:
            print(f"{s.model:<13} {s.similarity * 100:5.1f}%  {s.verdict}")
    return EXIT_OK


def _cmd_models(library, args, progress, cancel) -> int:
    if args.models_command == "download":
        folder = library.download_model(args.name, on_progress=progress, cancel=cancel)
        progress.done()
        print(f"{args.name}: downloaded to {folder}")
        return EXIT_OK
    models = library.models()
    if args.json:
        _emit({"models": [m.to_dict() for m in models]})
        return EXIT_OK
    for m in models:
        state = "present" if m.present else "missing"
        print(f"{m.name:<13} {state:<8} {m.source}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
