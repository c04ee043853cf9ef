"""The remembered decisions ("not duplicates", "keep all"), and forgetting them.

Owns: listing the library's decisions (kind, when, where their photos are now) and the
"Forget selected" button; the list is read and the decisions cleared through the job runner.
Must not: call the engine on the GUI thread, or regroup itself (`on_forgotten` does).
"""
from __future__ import annotations

import os
import time
from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QLabel, QPushButton, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout)

from .. import operations as ops
from .notice import show_error

# The engine's decision kinds, worded as its KIND_WORDS (parts/decisions.py) words them; the
# desktop reaches the engine only through its face, which does not export that table.
KIND_WORDS = {"different": "not duplicates", "keep_all": "keep all"}


def decision_row(decision) -> list[str]:
    """(what, when, photos) of one decision, worded for the list."""
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(decision.created_at))
    names = ", ".join(os.path.basename(p) for p in decision.photos)
    missing = f" ({decision.missing} no longer in the library)" if decision.missing else ""
    return [KIND_WORDS.get(decision.kind, decision.kind).capitalize(), when, names + missing]


class DecisionsDialog(QDialog):
    def __init__(self, library, runner, on_forgotten=lambda: None, parent=None) -> None:
        super().__init__(parent)
        self.library, self.runner, self.on_forgotten = library, runner, on_forgotten
        self.decisions: list = []
        self.setWindowTitle("Decisions")
        self.setObjectName("decisionsDialog")
        self.resize(720, 360)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Groups you marked as not duplicates, or as copies to keep, are hidden from "
                                "review. Forget a decision to see its group again."))
        self.list = QTreeWidget()
        self.list.setHeaderLabels(["Decision", "Made", "Photos"])
        self.list.setRootIsDecorated(False)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.itemSelectionChanged.connect(self._selection_changed)
        layout.addWidget(self.list, 1)
        self.empty = QLabel("No decisions yet.")
        layout.addWidget(self.empty)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.forget_button = QPushButton("Forget selected")
        self.forget_button.setToolTip("The selected groups show in review again")
        self.forget_button.setEnabled(False)
        self.forget_button.clicked.connect(self.forget_selected)
        buttons.addButton(self.forget_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.reload()

    def reload(self) -> None:
        self.runner.read(partial(ops.decisions, self.library), self._show,
                         lambda exc: show_error(self, "Decisions not read", exc))

    def _show(self, decisions) -> None:
        self.decisions = list(decisions)
        self.list.clear()
        for decision in self.decisions:
            item = QTreeWidgetItem(self.list, decision_row(decision))
            item.setData(0, Qt.ItemDataRole.UserRole, decision.id)
            item.setToolTip(2, "\n".join(decision.photos))
        self.empty.setVisible(not self.decisions)
        self._selection_changed()

    def _selection_changed(self) -> None:
        self.forget_button.setEnabled(bool(self.list.selectedItems()))

    def selected_ids(self) -> list[int]:
        return [item.data(0, Qt.ItemDataRole.UserRole) for item in self.list.selectedItems()]

    def forget_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        self.forget_button.setEnabled(False)
        self.runner.write(ops.FORGET_DECISIONS, partial(ops.forget_decisions, self.library, ids),
                          self._forgotten, on_error=lambda exc: show_error(self, "Decisions not forgotten", exc))

    def _forgotten(self, count) -> None:
        self.on_forgotten()
        self.reload()
