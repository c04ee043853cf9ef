"""Help › Keyboard shortcuts: every key the window knows, where it works, and what it does.

Owns: showing the list (filterable) that keyboard.shortcut_rows gathers from the live window.
Must not: define keys itself.
"""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHeaderView, QTableWidgetItem, QVBoxLayout

from ..widgets.row_table import filter_box, filter_rows, row_table

COLUMNS = ["Where", "What", "Keys"]


class ShortcutsDialog(QDialog):
    def __init__(self, rows, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.rows = rows
        self.filter = filter_box("Filter by what a key does or by the key", "Filter the shortcuts")
        self.filter.textChanged.connect(lambda text: filter_rows(self.table, text))
        self.table = row_table("shortcutsTable", COLUMNS)
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setRowCount(len(rows))
        for row, cells in enumerate(rows):
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        width = sum(self.table.columnWidth(c) for c in range(len(COLUMNS))) + 60
        self.resize(max(width, 560), min(640, 60 + 30 * (len(rows) + 3)))
