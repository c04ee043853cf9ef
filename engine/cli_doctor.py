"""The `lookalike doctor` command and the CLI's last line of defence against tracebacks.

Owns: doctor's text and JSON output; the one sentence for a database error or an OS error that
reached the command line; and, for an unexpected bug, the short "please report" line plus the
traceback written to `<library>/logs/lookalike-errors.log` (owner-only). Must not: hold engine
logic (engine/doctor.py checks and repairs) or run SQL.
"""
from __future__ import annotations

import errno
import json
import os
import sys
import time
import traceback
from pathlib import Path

LOG_DIR = "logs"
LOG_FILE = "lookalike-errors.log"


def add_parser(commands) -> None:
    doctor = commands.add_parser("doctor", help="check the catalog and indexes; --repair fixes "
                                 "them from the newest backup plus what survives, then rescans")
    doctor.add_argument("--repair", action="store_true")
    doctor.add_argument("--json", action="store_true")


def cmd_doctor(library_dir: Path, args, progress, cancel) -> int:
    from . import doctor

    health = (doctor.repair(library_dir, args.model_dir, on_progress=progress, cancel=cancel)
              if args.repair else doctor.check(library_dir))
    progress.done()
    if not health.healthy:  # the one sentence on stderr; the report itself on stdout
        sys.stderr.write(f"lookalike: {health.problem()}\n")
    if args.json:
        sys.stdout.write(json.dumps(health.to_dict(), indent=2) + "\n")
        return 0 if health.healthy else 1
    for line in health.repaired:
        print(line)
    if health.catalog == "none":
        print(f"No catalog yet in {library_dir}; add a folder with `lookalike add FOLDER`.")
    elif health.catalog == "ok" and health.bad_vectors:
        print(f"catalog damaged: {health.problem()}")
    elif health.catalog == "ok":
        print(f"catalog ok (schema {health.schema_version}): {library_dir}")
    else:
        print(f"catalog {health.catalog}: {health.catalog_problem}")
    for path, state in health.indexes.items():
        print(f"index {state}: {path}")
    print(f"{len(health.backups)} backup(s)" + (f", newest {health.backups[0]}" if health.backups else ""))
    for note in health.notes:
        print(f"note: {note}")
    return 0 if health.healthy else 1


def library_dir_of(args) -> Path:
    from .settings import default_library_dir

    folder = getattr(args, "library", None)
    return Path(folder).expanduser() if folder else default_library_dir()


def os_sentence(exc: OSError) -> str:
    where = f"{exc.filename}: " if exc.filename else ""
    text = exc.strerror or str(exc) or exc.__class__.__name__
    if exc.errno == errno.ENOSPC:
        return f"{where}{text}; free some space and try again."
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"{where}{text}; check the permissions of the library and photo folders."
    return f"{where}{text}."


def report_bug(library_dir, exc: BaseException) -> str:
    """Writes the traceback to the library's error log; returns the one line to show."""
    head = f"An unexpected error stopped the command ({exc.__class__.__name__}: {exc})"
    try:
        folder = Path(library_dir) / LOG_DIR
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        log = folder / LOG_FILE
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8", errors="backslashreplace") as fh:
            fh.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} lookalike {' '.join(sys.argv[1:])}\n")
            fh.write("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    except Exception:  # noqa: BLE001 - reporting a bug must not raise another
        return f"{head}; please report this bug."
    return f"{head}; please report this bug with the details in {log}."
