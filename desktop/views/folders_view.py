"""The Folders page: the library's folders with their counts, and the files it could not read.

Owns: the folder table (path, photos, unreadable, reference), adding (a folder dialog that
starts where the user keeps photos), removing after a confirmation, marking and unmarking
reference folders, the Problems list below, and the status-bar link ("2 could not be read")
that leads to it. Reads run on the reader pool, changes on the writer thread.
Must not: touch the disk or the engine except through operations and the runner, or decide
what the window does after a change (it emits `folders_changed`).
"""
from __future__ import annotations

import os
from functools import partial
from typing import Callable

from PySide6.QtCore import QStandardPaths, Qt, Signal
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QHeaderView, QLabel, QMessageBox,
                               QPushButton, QSplitter, QTableWidgetItem, QVBoxLayout, QWidget)

from .. import operations as ops
from ..dialogs.notice import show_error
from ..widgets.photo_menu import open_file
from ..widgets.problems_list import ProblemsList
from ..widgets.row_table import row_table

COLUMNS = ("Folder", "Photos", "Unreadable", "Reference")


def folder_to_start_in(folders) -> str:
    """Where "Add folder…" opens: beside the last folder added, else the user's Pictures."""
    for folder in reversed(list(folders)):
        parent = os.path.dirname(folder.path.rstrip(os.sep)) or folder.path
        if os.path.isdir(parent):
            return parent
    pictures = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
    return pictures if pictures and os.path.isdir(pictures) else os.path.expanduser("~")


class FoldersView(QWidget):
    folders_changed = Signal()   # a folder was removed or its reference mark changed
    loaded = Signal()            # the table and the Problems list show the library as read

    def __init__(self, library, runner, add_folder: Callable[[str], None], parent=None) -> None:
        super().__init__(parent)
        self.library, self.runner, self._add_folder = library, runner, add_folder
        self.rows: list[tuple] = []            # (Folder, is a reference), as shown
        self.skipped: list[tuple[str, str]] = []   # the last scan's problems outside the catalog
        self.summary = QLabel("")
        self.summary.setObjectName("summaryLabel")
        self.add_button = QPushButton("Add folder…")
        self.add_button.clicked.connect(self.choose_folder)
        self.remove_button = QPushButton("Remove…")
        self.remove_button.setToolTip("Forget this folder; the photos on disk are untouched")
        self.remove_button.clicked.connect(self.remove_selected)
        self.reference_button = QPushButton("Mark as reference")
        self.reference_button.setToolTip("Photos in a reference folder are never proposed for removal "
                                         "and never touched")
        self.reference_button.clicked.connect(self.toggle_reference)
        self.reveal_button = QPushButton("Reveal")
        self.reveal_button.setToolTip("Open this folder in the file manager")
        self.reveal_button.clicked.connect(lambda: self.selected() and open_file(self.selected().path))

        self.table = row_table("foldersTable", COLUMNS)
        self.table.setAccessibleName("Library folders")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.cellDoubleClicked.connect(self._double_clicked)
        self.problems = ProblemsList()
        self.status_link = QPushButton("")
        self.status_link.setObjectName("problemsLink")
        self.status_link.setFlat(True)
        self.status_link.setCursor(Qt.CursorShape.PointingHandCursor)
        self.status_link.setToolTip("Show the files that could not be read")
        self.status_link.setStyleSheet("QPushButton#problemsLink { color: palette(link); text-decoration: underline;"
                                       " border: none; padding: 0 6px; }")
        self.status_link.setVisible(False)

        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        for button in (self.add_button, self.remove_button, self.reference_button, self.reveal_button):
            buttons.addWidget(button)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(buttons)
        top_layout.addWidget(self.table, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("foldersSplitter")
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.problems)
        self.splitter.setStretchFactor(0, 2)   # a library has a few folders, and maybe many problems
        self.splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter, 1)
        self._selection_changed()

    # -- reading ----------------------------------------------------------------------------
    def refresh(self) -> None:
        self.runner.read(partial(ops.folders_overview, self.library), self._show,
                         lambda exc: self.summary.setText(str(exc)), key=ops.FOLDER_LIST)

    def scan_problems(self, errors) -> None:
        """A scan's (path, reason) list: what it skipped without cataloging (an unreadable
        subfolder, a broken link) joins the Problems list until the next scan."""
        self.skipped = list(errors)

    def _show(self, overview) -> None:
        rows, bad = overview
        kept = self.selected()
        self.rows = rows
        self.table.setRowCount(len(rows))
        for row, (folder, is_reference) in enumerate(rows):
            cells = (folder.path, f"{folder.files:,}", f"{folder.unreadable:,}" if folder.unreadable else "—",
                     "Yes" if is_reference else "")
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(folder.path)
                if column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(row, column, item)
        if kept is not None:
            for row, (folder, _) in enumerate(rows):
                if folder.path == kept.path:
                    self.table.selectRow(row)
        elif rows:
            self.table.selectRow(0)
        cataloged = {path for path, _ in bad}
        problems = list(bad) + [(p, r) for p, r in self.skipped if p not in cataloged]
        self.problems.set_problems(problems)
        photos = sum(f.files for f, _ in rows)
        folders = "folder" if len(rows) == 1 else "folders"
        self.summary.setText(f"{len(rows)} {folders} · {photos:,} photos")
        self.status_link.setText(f"⚠ {len(problems):,} could not be read")
        self.status_link.setVisible(bool(problems))
        self._selection_changed()
        self.loaded.emit()

    def selected(self):
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()][0] if rows and rows[0].row() < len(self.rows) else None

    def _selected_is_reference(self) -> bool:
        rows = self.table.selectionModel().selectedRows()
        return bool(rows) and self.rows[rows[0].row()][1]

    def show_problems(self) -> None:
        """Brings the Problems list into view (the status-bar link's target)."""
        sizes = self.splitter.sizes()
        if sizes and sizes[-1] < 120:
            self.splitter.setSizes([max(1, sum(sizes) // 3), sum(sizes) - sum(sizes) // 3])
        self.problems.table.setFocus()

    # -- changing ---------------------------------------------------------------------------
    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a photo folder", folder_to_start_in(f for f, _ in self.rows))
        if folder:
            self._add_folder(folder)

    def remove_selected(self) -> None:
        folder = self.selected()
        if folder is None:
            return
        answer = QMessageBox.question(
            self, "Remove folder",
            f"Remove {folder.path} from the library?\n\nLookalike forgets its {folder.files:,} photos, their "
            "marks and vectors. The photos on disk are untouched; adding the folder again finds them again.")
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.runner.write(ops.REMOVE_FOLDER, partial(ops.remove_folder, self.library, folder.path),
                          partial(self._removed, folder.path),
                          on_error=lambda exc: show_error(self, "Folder not removed", exc))

    def _removed(self, path: str, _count) -> None:
        # The paths came from walking this folder, so they start with its path as stored.
        self.skipped = [(p, r) for p, r in self.skipped if not (p == path or p.startswith(path.rstrip(os.sep) + os.sep))]
        self._changed(None)

    def toggle_reference(self) -> None:
        folder = self.selected()
        if folder is None:
            return
        self.runner.write(ops.MARK_REFERENCE,
                          partial(ops.set_reference, self.library, folder.path, not self._selected_is_reference()),
                          self._changed, on_error=lambda exc: show_error(self, "Reference folders not changed", exc))

    def _changed(self, _result) -> None:
        self.folders_changed.emit()   # the window reads this page again, with every other view

    def _double_clicked(self, row: int, column: int) -> None:
        if column == COLUMNS.index("Unreadable") and row < len(self.rows) and self.rows[row][0].unreadable:
            self.problems.filter.setText(self.rows[row][0].path)
            self.show_problems()

    def _selection_changed(self) -> None:
        folder = self.selected()
        for button in (self.remove_button, self.reference_button, self.reveal_button):
            button.setEnabled(folder is not None)
        self.reference_button.setText("Unmark reference" if self._selected_is_reference() else "Mark as reference")
