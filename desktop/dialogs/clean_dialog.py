"""Choosing how to clean up, then confirming it with the count and the space it frees.

Owns: the action choice (trash, move to a folder, hardlink exact copies) and the final
confirmation text. Must not: plan or run the clean-up.
"""
from __future__ import annotations

from PySide6.QtWidgets import (QButtonGroup, QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QLabel,
                               QLineEdit, QMessageBox, QPushButton, QRadioButton, QVBoxLayout)


class CleanDialog(QDialog):
    def __init__(self, marked: int, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Clean up duplicates")
        self.setObjectName("cleanDialog")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{marked} photos are marked for removal. What should happen to them?"))
        self.trash = QRadioButton("Move them to the trash (you can undo)")
        self.move = QRadioButton("Move them into a folder, keeping their sub-folders")
        self.hardlink = QRadioButton("Replace exact copies with hardlinks to the kept photo")
        self.trash.setChecked(True)
        group = QButtonGroup(self)
        for button in (self.trash, self.move, self.hardlink):
            group.addButton(button)
            layout.addWidget(button)
        row = QHBoxLayout()
        self.folder = QLineEdit()
        self.folder.setPlaceholderText("Folder to move them into")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        row.addWidget(self.folder)
        row.addWidget(browse)
        layout.addLayout(row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton("Continue…", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Move the removed photos into")
        if folder:
            self.folder.setText(folder)
            self.move.setChecked(True)

    def _accept(self) -> None:
        if self.move.isChecked() and not self.folder.text().strip():
            QMessageBox.information(self, "Choose a folder", "Choose the folder to move the photos into.")
            return
        self.accept()

    def choice(self) -> tuple[str, str | None]:
        if self.move.isChecked():
            return "move", self.folder.text().strip()
        return ("hardlink", None) if self.hardlink.isChecked() else ("trash", None)


def confirmation_text(plan) -> tuple[str, str]:
    """(question, details) stating the count and the space the plan frees."""
    verb = {"trash": "Move {n} photos ({size}) to the trash?",
            "move": "Move {n} photos ({size}) to {target}?",
            "hardlink": "Replace {n} exact copies ({size}) with hardlinks?"}[plan.action]
    question = verb.format(n=len(plan.files), size=f"{plan.bytes_freed / 1e6:.1f} MB", target=plan.target)
    details = "\n".join(f"skip {path}: {reason}" for path, reason in plan.skipped)
    return question, details
