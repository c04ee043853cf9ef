"""Read-only tables picked a row at a time, with a filter box: the Folders page, the Problems
list and Help › Keyboard shortcuts.

Owns: how such a table is set up (whole rows, no editing, Tab leaves it), its filter box, and
filtering: a row stays when every word typed is in one of its cells. Must not: know what the
rows are.
"""
from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QTableWidget


def row_table(name: str, columns) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(columns)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.setTabKeyNavigation(False)   # Tab moves on to the next control; the arrows move in the table
    return table


def filter_box(placeholder: str, name: str) -> QLineEdit:
    """The box above a row table; `name` is what a screen reader calls it."""
    box = QLineEdit()
    box.setPlaceholderText(placeholder)
    box.setAccessibleName(name)
    box.setClearButtonEnabled(True)
    return box


def filter_rows(table: QTableWidget, text: str) -> None:
    """Hides the rows that lack any of the words in `text` (case does not matter)."""
    words = text.casefold().split()
    for row in range(table.rowCount()):
        cells = (table.item(row, column) for column in range(table.columnCount()))
        line = " ".join(item.text() for item in cells if item is not None).casefold()
        table.setRowHidden(row, not all(word in line for word in words))
