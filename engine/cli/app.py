"""Running one `lookalike` command: parse, open the library, call the bound handler, and turn
whatever stops it into one sentence and a documented exit code.

Owns: the order of those steps, the note about an interrupted clean-up, and which failure maps
to which exit code (0 ok, 1 failure, 2 usage, 3 model unavailable, 130 cancelled). Must not:
hold engine logic or a command's output (handlers and the renderer do).
"""
from __future__ import annotations

from typing import Optional, Sequence

from ..catalog.backup import DATABASE_ERRORS, describe as describe_catalog_error
from ..catalog.store import CATALOG_FILE
from ..errors import LookalikeError, ModelUnavailable, UsageError
from ..jobs import CancelToken, JobCancelled
from ..lock import describe_process
from . import render
from .failures import (EXIT_CANCELLED, EXIT_FAILURE, EXIT_MODEL, EXIT_OK, EXIT_USAGE,
                       library_dir_of, os_sentence, report_bug)
from .parser import build_parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    render.open_streams()
    args = build_parser().parse_args(argv)
    progress = render.TerminalProgress()
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
        return _fail(progress, "Cancelled; everything done so far is saved.", EXIT_CANCELLED)
    except BrokenPipeError:
        render.drop_output()
        return EXIT_OK
    except DATABASE_ERRORS as exc:  # damage met mid-command, after the catalog opened
        catalog = library_dir_of(args) / CATALOG_FILE
        return _fail(progress, describe_catalog_error(catalog, exc), EXIT_FAILURE)
    except OSError as exc:
        return _fail(progress, os_sentence(exc), EXIT_FAILURE)
    except Exception as exc:  # noqa: BLE001 - a bug: one line here, the traceback in the log
        return _fail(progress, report_bug(library_dir_of(args), exc), EXIT_FAILURE)
    finally:
        progress.done()


def _fail(progress: render.TerminalProgress, message: str, code: int) -> int:
    progress.done()
    render.error(message)
    return code


def _run(args, progress: render.TerminalProgress, cancel: CancelToken) -> int:
    if not args.needs_library:  # doctor works where Library.open cannot: a damaged catalog
        return args.handler(library_dir_of(args), args, progress, cancel)
    from ..library import Library

    with Library.open(args.library, model_dir=args.model_dir) as library:
        if args.notes_interruption and library.interrupted():
            render.note("lookalike: note: an earlier clean-up was interrupted; run `lookalike "
                        "recover --complete` or `lookalike recover --rollback`.")
        return args.handler(library, args, progress, cancel)
