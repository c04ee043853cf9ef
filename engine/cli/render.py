"""The CLI's one renderer: text lines, JSON, sizes, durations and terminal progress.

Owns: every byte the `lookalike` command writes (stdout for results, stderr for the one-line
error, notes and progress) and how it looks. Must not: decide anything (handlers do) or call
the engine. Streams are looked up at each write, so tests capturing sys.stdout see them.
"""
from __future__ import annotations

import json
import os
import sys

from ..jobs import Progress
from ..sizes import human_size

__all__ = ["TerminalProgress", "ask", "score", "duration", "emit", "error", "human_size", "line", "note", "can_ask",
           "open_streams", "drop_output"]


def open_streams() -> None:
    """Filenames that are not valid UTF-8 print as the bytes they are."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="surrogateescape")


def drop_output() -> None:
    """The reader of stdout went away (`| head`): what is left to write goes nowhere, quietly."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def score(model_score) -> str:
    """A model's similarity and its meaning, or in a few words why the model is missing."""
    if model_score.similarity is None:
        return f"{model_score.model:<13} not on this computer (`lookalike models` says how to add it)"
    return f"{model_score.model:<13} {model_score.meaning}"


def line(text: str = "") -> None:
    """One line of a command's text result, on stdout."""
    sys.stdout.write(f"{text}\n")


def note(text: str) -> None:
    """One line beside the result (skipped files, notes), on stderr."""
    sys.stderr.write(f"{text}\n")


def error(message: str) -> None:
    """The one sentence a failing command ends with: one line whatever the message holds."""
    sys.stderr.write(f"lookalike: {' '.join(str(message).split())}\n")


def emit(data) -> None:
    """A command's --json result."""
    sys.stdout.write(json.dumps(data, indent=2) + "\n")


def can_ask() -> bool:
    """Whether there is a terminal to ask a question on."""
    return sys.stdin.isatty()


def ask(question: str) -> bool:
    """A yes/no question on the terminal; anything but y/yes is no."""
    return input(question).strip().lower() in ("y", "yes")


def duration(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


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
        in_bytes = p.phase.startswith("downloading")  # downloads count bytes, not items
        count = human_size if in_bytes else str
        if p.total:
            filled = int(24 * (p.fraction or 0))
            text = f"{p.phase:<10} [{'#' * filled}{'.' * (24 - filled)}] {count(p.done)}/{count(p.total)}"
        else:
            text = f"{p.phase:<10} {count(p.done)}"
        if p.rate:
            text += f"  {human_size(int(p.rate))}/s" if in_bytes else f"  {p.rate:.1f}/s"
        if p.eta is not None and p.total and p.done < p.total:
            text += f"  ETA {duration(p.eta)}"
        self.stream.write("\r" + text.ljust(self._width))
        self.stream.flush()
        self._width = len(text)

    def done(self) -> None:
        if self.enabled and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0
