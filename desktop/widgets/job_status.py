"""The status-bar job indicator: phase, count, rate and time left, a bar, and Cancel.

Owns: showing the running job, and its time-left estimate: none until the phase is far enough
along for a stable rate (5% done and 2 s in: a model loading before the first photo once made
a 2.9 s scan say 53 s), then from a smoothed recent rate. Must not: run or cancel jobs itself
(it asks the runner).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from .. import operations as ops
from ..model_downloads import progress_text
from ..worker import JobRunner

MIN_FRACTION, MIN_SECONDS = 0.05, 2.0   # before both, a rate is mostly start-up cost
SMOOTHING = 0.3                          # the weight of the newest rate in the running average


@dataclass
class Estimate:
    """Time left in one phase from a smoothed rate of recent progress, or None while unsure."""

    phase: str = ""
    done: int = 0
    elapsed: float = 0.0
    rate: Optional[float] = None

    def update(self, progress) -> Optional[float]:
        if progress.phase != self.phase or progress.done < self.done or progress.elapsed < self.elapsed:
            self.phase, self.done, self.elapsed, self.rate = progress.phase, 0, 0.0, None   # a new phase
        if progress.elapsed - self.elapsed >= 0.25 and progress.done > self.done:
            recent = (progress.done - self.done) / (progress.elapsed - self.elapsed)
            self.rate = recent if self.rate is None else SMOOTHING * recent + (1 - SMOOTHING) * self.rate
            self.done, self.elapsed = progress.done, progress.elapsed
        if not progress.total or self.rate is None or progress.done >= progress.total:
            return None
        if progress.done < MIN_FRACTION * progress.total or progress.elapsed < MIN_SECONDS:
            return None
        return (progress.total - progress.done) / self.rate


def status_line(progress, seconds_left: Optional[float]) -> str:
    """'embedding 27/108 · 9.0/s · 9s left', the time left only when it is worth believing."""
    if progress.phase == "waiting" and progress.message:
        return progress.message
    text = progress.phase + (f" {progress.done}/{progress.total}" if progress.total else f" {progress.done}")
    if progress.rate:
        text += f" · {progress.rate:.1f}/s"
    if seconds_left is not None:
        left = int(round(seconds_left))
        text += f" · {left // 60}m{left % 60:02d}s left" if left >= 60 else f" · {left}s left"
    return text


class JobStatus(QWidget):
    def __init__(self, runner: JobRunner, parent=None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.label = QLabel("")
        self.bar = QProgressBar()
        self.bar.setFixedWidth(180)
        self.bar.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self._cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.label, self.bar, self.cancel_button):
            layout.addWidget(widget)
        runner.progress.connect(self._progress)
        runner.job_started.connect(self._started)
        runner.job_finished.connect(self._finished)
        self.setVisible(False)
        self.estimate = Estimate()

    def _started(self, label: str) -> None:
        self.label.setText(label)
        self.estimate = Estimate()
        self.bar.setRange(0, 0)
        self.cancel_button.setEnabled(True)
        self.setVisible(True)

    def _progress(self, label: str, progress) -> None:
        # A download counts bytes: "45 MB of 88 MB", not "45000000/88000000".
        shown = progress_text(progress) if ops.is_download(label) else status_line(progress, self.estimate.update(progress))
        self.label.setText(f"{label}: {shown}")
        if progress.total:
            self.bar.setRange(0, progress.total)
            self.bar.setValue(progress.done)
        else:
            self.bar.setRange(0, 0)

    def _finished(self, _label: str) -> None:
        if not self.runner.busy and not self.runner.reading:
            self.setVisible(False)

    def _cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.label.setText("Cancelling… (what is done so far is kept)")
        self.runner.cancel()
