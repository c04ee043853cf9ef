"""The inline fix under a message that a missing model blocks something.

Owns: one row for the model named: the button that fetches it ("Download CLIP (605 MB)"),
its progress with Cancel, and a line saying what happens next (the window then indexes the
library for it in the background) or, when it cannot be downloaded, why. Text search, phrase
tags and patch maps all show this same row. Must not: download itself (ModelDownloads does,
one routine for every place) or word the blocked thing's message (its view does).
"""
from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from ..model_downloads import ModelDownloads, family_name, progress_text


class ModelFix(QWidget):
    arrived = Signal(str)   # the offered model is now on this computer

    def __init__(self, downloads: ModelDownloads, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("modelFix")
        self.downloads = downloads
        self.model: Optional[str] = None
        self.here = False    # it arrived while offered: the note says what happens now
        self.downloadable: Optional[bool] = None   # what the error said, until the list is read
        self.button = QPushButton("Download")
        self.button.setObjectName("primaryButton")
        self.button.clicked.connect(lambda: self.model and self.downloads.download(self.model))
        self.bar = QProgressBar()
        self.bar.setFixedWidth(200)
        self.bar.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(lambda: self.model and self.downloads.cancel(self.model))
        self.note = QLabel("")
        self.note.setWordWrap(True)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 4, 0, 4)
        for widget in (self.button, self.bar, self.cancel_button):
            row.addWidget(widget)
        row.addWidget(self.note, 1)
        downloads.changed.connect(self._update)
        downloads.progress.connect(self._progress)
        downloads.arrived.connect(self._arrived)
        self.hide()

    def offer(self, model: str, downloadable: Optional[bool] = None) -> None:
        """Shows the fix for `model`; its size and whether it can be downloaded come from the
        model list, read again now."""
        self.model, self.downloadable, self.here = model, downloadable, False
        self.bar.setRange(0, 0)
        self.note.setText("")
        self.show()
        self._update()
        self.downloads.refresh()

    def clear(self) -> None:
        self.model = None
        self.hide()

    def _update(self) -> None:
        if self.model is None or self.here:
            return
        info = self.downloads.info(self.model)
        running = self.model in self.downloads.running
        if info is not None and info.present and not running:
            self.hide()   # here after all (put in the model folder meanwhile): nothing to fix
            return
        # Until the list is read, only the error's word counts (a phrase tag's problem has none).
        can = info.can_download if info is not None else bool(self.downloadable)
        self.button.setText(self.downloads.button_text(self.model, named=True))
        self.button.setToolTip(f"From {info.origin}; licence: {info.licence}. Nothing is fetched before this click."
                               if info is not None and info.origin else "")
        self.button.setVisible(can and not running)
        self.bar.setVisible(running)
        self.cancel_button.setVisible(running)
        if running:
            if self.model not in self.downloads.latest:
                self.bar.setRange(0, 0)
                self.note.setText("Starting the download…")
        elif not can and info is not None:
            self.note.setText(f"It cannot be downloaded from here: {info.source}. Preferences › Models says "
                              "where it comes from.")
        else:
            self.note.setText("")

    def _progress(self, name: str, progress) -> None:
        if name != self.model:
            return
        if progress.total:
            self.bar.setRange(0, progress.total)
            self.bar.setValue(progress.done)
        self.note.setText(f"Downloading: {progress_text(progress)}")

    def _arrived(self, name: str) -> None:
        if name != self.model:
            return
        info = self.downloads.info(name)
        self.here = True
        self.button.hide()
        self.bar.hide()
        self.cancel_button.hide()
        self.note.setText(f"{family_name(info) if info else name} is here: your photos are being indexed for it "
                          "in the background.")
        self.arrived.emit(name)
