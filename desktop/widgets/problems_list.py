"""The Problems list: every file the library could not read, with its folder and the reason.

Owns: showing (name, folder, reason) rows, the filter box, the count in the heading, and the
"Reveal" and "Copy path" actions on the selected file. Must not: read the library (the Folders
page hands it the rows) or change anything on disk.
"""
from __future__ import annotations

import os

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QApplication, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from .photo_menu import reveal
from .row_table import filter_box, filter_rows, row_table

COLUMNS = ("Name", "Folder", "Reason")


class ProblemsList(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.problems: list[tuple[str, str]] = []
        self.heading = QLabel("")
        self.heading.setObjectName("summaryLabel")
        self.filter = filter_box("Filter by name, folder or reason", "Filter the files that could not be read")
        self.filter.textChanged.connect(self._apply_filter)
        self.table = row_table("problemsTable", COLUMNS)
        self.table.setAccessibleName("Files that could not be read")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _: self.reveal_selected())
        self.reveal_button = QPushButton("Reveal")
        self.reveal_button.setToolTip("Open the folder that holds this file")
        self.reveal_button.clicked.connect(self.reveal_selected)
        self.copy_button = QPushButton("Copy path")
        self.copy_button.clicked.connect(self.copy_selected)

        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.filter, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.reveal_button)
        buttons.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self._selection_changed()
        self._update_heading()

    def set_problems(self, problems) -> None:
        """(path, reason) for each file that could not be read; the selection is kept by path."""
        kept = self.selected_path()
        self.problems = sorted(problems, key=lambda p: (os.path.dirname(p[0]).lower(), p[0].lower()))
        self.table.setRowCount(len(self.problems))
        for row, (path, reason) in enumerate(self.problems):
            folder = os.path.dirname(path)
            for column, text in enumerate((os.path.basename(path), folder, reason)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, path)
                item.setToolTip(path if column < 2 else text)
                self.table.setItem(row, column, item)
        if self.problems:
            self.table.resizeColumnToContents(1)
            self.table.setColumnWidth(1, min(self.table.columnWidth(1), 420))
        self._apply_filter()
        if kept:
            self.select(kept)
        if self.selected_path() is None and self.visible_paths():
            self.select(self.visible_paths()[0])   # Reveal and Copy path work at once

    def visible_paths(self) -> list[str]:
        return [self.table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(self.table.rowCount())
                if not self.table.isRowHidden(r)]

    def visible_reasons(self) -> dict[str, str]:
        """File name -> reason, for the rows the filter lets through."""
        return {self.table.item(r, 0).text(): self.table.item(r, 2).text() for r in range(self.table.rowCount())
                if not self.table.isRowHidden(r)}

    def selected_path(self):
        rows = self.table.selectionModel().selectedRows()
        return self.table.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole) if rows else None

    def select(self, path: str) -> None:
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).data(Qt.ItemDataRole.UserRole) == path and not self.table.isRowHidden(row):
                self.table.selectRow(row)
                return

    def reveal_selected(self) -> None:
        path = self.selected_path()
        if path:
            reveal(path)

    def copy_selected(self) -> None:
        path = self.selected_path()
        if path:
            QApplication.clipboard().setText(path)

    def _apply_filter(self) -> None:
        filter_rows(self.table, self.filter.text())
        self._update_heading()
        self._selection_changed()

    def _update_heading(self) -> None:
        total = len(self.problems)
        if not total:
            self.heading.setText("Problems: every file could be read")
            return
        shown = len(self.visible_paths())
        files = "file" if total == 1 else "files"
        text = f"Problems: {total} {files} could not be read"
        self.heading.setText(text if shown == total else f"{text} · showing {shown}")

    def _selection_changed(self) -> None:
        path = self.selected_path()
        hidden = path is not None and path not in self.visible_paths()
        for button in (self.reveal_button, self.copy_button):
            button.setEnabled(path is not None and not hidden)
