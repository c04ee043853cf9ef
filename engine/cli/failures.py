"""How the `lookalike` command fails: exit codes, and the one sentence for what went wrong.

Owns: the documented exit codes (0 ok, 1 failure, 2 usage, 3 model unavailable), the sentence
for an OS error that reached the command line, and, for an unexpected bug, the short "please
report" line plus the traceback written to `<library>/logs/lookalike-errors.log` (owner-only).
Must not: hold engine logic or run SQL; writing to the terminal is the renderer's.
"""
from __future__ import annotations

import errno
import os
import sys
import time
import traceback
from pathlib import Path

from ..paths import os_reason

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_MODEL = 0, 1, 2, 3
EXIT_CANCELLED = 130
LOG_DIR = "logs"
LOG_FILE = "lookalike-errors.log"


def library_dir_of(args) -> Path:
    from ..settings import default_library_dir

    folder = getattr(args, "library", None)
    return Path(folder).expanduser() if folder else default_library_dir()


def os_sentence(exc: OSError) -> str:
    where = f"{exc.filename}: " if exc.filename else ""
    text = os_reason(exc)
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
