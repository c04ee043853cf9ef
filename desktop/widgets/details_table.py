"""The metadata of the compared photos side by side, differences highlighted.

Owns: one row per field (resolution, size, format, capture, camera, GPS, edits, ...), one
column per photo, and marking the rows whose values differ (bold, tinted, and said in the
row's tooltip and accessible text, not by colour alone). Must not: read files (the Library's
`details` does, off the GUI thread).
"""
from __future__ import annotations

from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QTableWidget, QTableWidgetItem

NOT_COMPARED = ("Name",)     # always differs; saying so adds nothing
DIFFERS = QColor(255, 196, 0, 60)


class DetailsTable(QTableWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(0, 0, parent)
        self.setAccessibleName("Photo details")
        self.setTabKeyNavigation(False)   # Tab leaves the table; the arrows move in it
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(False)
        self.horizontalHeader().setStretchLastSection(True)
        self.differing: list[str] = []

    def show_details(self, columns: list[str], details: list) -> None:
        """`details`: PhotoDetails per column, in the same order as `columns` (A, B, ...)."""
        labels = list(dict.fromkeys(label for d in details for label, _ in d.fields))
        if any(d.error for d in details):
            labels.append("Problem")
        self.clear()
        self.setColumnCount(len(columns))
        self.setHorizontalHeaderLabels(columns)
        self.setRowCount(len(labels))
        self.setVerticalHeaderLabels(labels)
        self.differing = []
        for row, label in enumerate(labels):
            values = [(d.error or "") if label == "Problem" else (d.value(label) or "—") for d in details]
            differs = label not in NOT_COMPARED and len(set(values)) > 1
            if differs:
                self.differing.append(label)
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(f"{label} differs between the photos: {value}" if differs else value)
                if differs:
                    font = QFont(item.font())
                    font.setBold(True)
                    item.setFont(font)
                    item.setBackground(QBrush(DIFFERS))
                self.setItem(row, col, item)
            header = self.verticalHeaderItem(row)
            if differs and header is not None:
                header.setText(f"{label} ≠")
                header.setToolTip(f"{label} differs between the photos")
        self.resizeColumnsToContents()
