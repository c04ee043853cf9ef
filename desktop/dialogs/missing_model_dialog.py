"""When the chosen model's weights are absent: one dialog that explains and offers ways on.

Owns: the choices: download it now (offered whenever a download would fix it, naming its
size; the click is the consent), choose a model folder, use SSCD when it is here or install
it (naming its size) when it can be, or carry on with exact + pHash duplicates only. No
choice is shown greyed out: one that cannot work is left out and the text says why.
Must not: download or change settings itself (the main window acts on the choice).
"""
from __future__ import annotations

from typing import Optional

from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QVBoxLayout

from ..model_downloads import family_name, size_text


class MissingModelDialog(QDialog):
    def __init__(self, model: str, info=None, downloadable: Optional[bool] = None, sscd=None,
                 parent=None) -> None:
        """`info`: the missing model's ModelInfo (None if unknown); `downloadable`: what the
        error said when the list could not tell; `sscd`: SSCD's ModelInfo, if it is offered."""
        super().__init__(parent)
        self.setObjectName("missingModelDialog")
        self.setWindowTitle("Model not found")
        self.choice: str | None = None
        can = info.can_download if info is not None else bool(downloadable)
        where = f" ({info.hub_id})" if info is not None and info.hub_id else ""
        text = (f"<b>The {model} model{where} is not on this computer.</b><br><br>"
                "Lookalike needs it to find near-duplicates (crops, edits, re-saved copies). "
                "Nothing has been changed in your library.")
        if not can and info is not None:
            text += f"<br><br>It cannot be downloaded from here: {info.source}."
        label = QLabel(text)
        label.setWordWrap(True)
        label.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        self.buttons: dict[str, QPushButton] = {}
        if can:
            size = size_text(info) if info is not None else ""
            name = family_name(info) if info is not None else model
            self._option(layout, "download", f"Download {name} now" + (f" ({size})" if size else ""),
                         f"From {info.origin}; licence: {info.licence}. Your photos are indexed for it "
                         "as soon as it is here." if info is not None and info.origin else
                         "Your photos are indexed for it as soon as it is here.")
            self.buttons["download"].setObjectName("primaryButton")   # the way on most people want
            self.buttons["download"].setDefault(True)
        self._option(layout, "folder", "Choose a model folder…", "A folder holding facebook/dinov2-small/ and similar.")
        if sscd is not None and sscd.name != model:
            if sscd.present:
                self._option(layout, "sscd", "Use SSCD instead (copy detection, installed)", "")
            elif sscd.can_download:
                size = size_text(sscd)
                self._option(layout, "install_sscd",
                             f"Install SSCD (copy detection{f', {size}' if size else ''})",
                             f"From {sscd.origin}; licence: {sscd.licence}. Lookalike then uses it for duplicates.")
        self._option(layout, "phash", "Continue with exact + pHash duplicates only",
                     "Finds byte-identical and resized copies; misses crops and edits.")
        cancel = QPushButton("Not now")
        cancel.clicked.connect(self.reject)
        layout.addWidget(cancel)

    def _option(self, layout, key: str, label: str, tip: str) -> None:
        button = QPushButton(label)
        button.setToolTip(tip)
        button.clicked.connect(lambda _=False: self._pick(key))
        layout.addWidget(button)
        self.buttons[key] = button

    def _pick(self, key: str) -> None:
        self.choice = key
        self.accept()
