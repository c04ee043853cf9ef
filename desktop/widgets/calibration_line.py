"""A quiet line saying where chance similarity ends for a model, beside its thresholds.

Owns: asking the engine for the threshold calibration off the GUI thread (it may sample the
library's vectors: a long read with progress, stopped by Cancel) and showing its sentence,
e.g. "Chance similarity ends near 0.18 here (...); near duplicates from 0.42". Preferences
and the duplicates view both show it. Must not: change thresholds, or raise a notice when no
estimate can be made (a hint that cannot be given is left out).
"""
from __future__ import annotations

from functools import partial
from typing import Optional

from PySide6.QtWidgets import QLabel

from .. import operations as ops


class CalibrationLine(QLabel):
    def __init__(self, library, runner, key: str, only_measured: bool = False, parent=None) -> None:
        """`key`: the read's "latest request wins" key, one per place that shows the line;
        `only_measured`: say nothing unless this library's chance similarity was measured."""
        super().__init__(parent)
        self.only_measured = only_measured
        self.setObjectName("hintLabel")
        self.setWordWrap(True)
        self.library, self.runner, self.key = library, runner, key
        self.model: Optional[str] = None
        self.calibration = None   # the last one shown
        self.hide()

    def load(self, model: Optional[str] = None) -> None:
        """Reads the calibration for `model` (None: the library's duplicate model)."""
        self.model = model
        self.runner.read(partial(ops.calibration, self.library, model), partial(self._show, model),
                         lambda _exc: self._hide(model), label=ops.CALIBRATE,
                         on_cancel=lambda: self._hide(model), key=self.key)

    def _show(self, model, calibration) -> None:
        if model != self.model:
            return
        self.calibration = calibration
        text = calibration.sentence if calibration.chance_end is not None or not self.only_measured else ""
        self.setText(text[:1].upper() + text[1:] if text else "")
        self.setToolTip(f"From {calibration.pairs} pairs of {calibration.photos} photos"
                        if calibration.source == "calibrated" and calibration.pairs else "")
        self.setVisible(bool(text))

    def _hide(self, model) -> None:
        if model == self.model:
            self.calibration = None
            self.hide()
