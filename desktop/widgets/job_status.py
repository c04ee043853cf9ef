"""The status-bar job indicator: phase, count, rate and time left, a bar, and Cancel.

Owns: showing the running job. Must not: run or cancel jobs itself (it asks the runner).
"""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from .. import operations as ops
from ..model_downloads import progress_text
from ..worker import JobRunner, describe


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

    def _started(self, label: str) -> None:
        self.label.setText(label)
        self.bar.setRange(0, 0)
        self.cancel_button.setEnabled(True)
        self.setVisible(True)

    def _progress(self, label: str, progress) -> None:
        # A download counts bytes: "45 MB of 88 MB", not "45000000/88000000".
        shown = progress_text(progress) if ops.is_download(label) else describe(progress)
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
