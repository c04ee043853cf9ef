"""Choosing how to clean up, then confirming it with the count and the space it frees.

Owns: the action choice (trash, move to a folder, hardlink exact copies), whether the kept
photos first receive the metadata only their removed copies carry (into an XMP sidecar or the
file), and the final confirmation text, which lists what will be copied. Must not: plan or
run the clean-up.
"""
from __future__ import annotations

import os

from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QLabel,
                               QLineEdit, QMessageBox, QPushButton, QRadioButton, QVBoxLayout)

from .start_folder import remember, start_folder


class CleanDialog(QDialog):
    def __init__(self, marked: int, parent=None, library=None) -> None:
        super().__init__(parent)
        self.library = library   # where "Choose…" opens: the library's folders, not home
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
        self.merge_box = QCheckBox("Copy missing metadata (date, GPS, keywords…) to the kept photo")
        self.merge_box.setToolTip("What only the removed copies carry is copied to the photo that stays, "
                                  "before they go; undo puts it back")
        self.in_file = QCheckBox("Write it into the file instead of an XMP sidecar")
        self.in_file.setEnabled(False)
        self.merge_box.toggled.connect(self._merge_choice_changed)
        self.hardlink.toggled.connect(self._merge_choice_changed)
        layout.addWidget(self.merge_box)
        layout.addWidget(self.in_file)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton("Continue…", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _merge_choice_changed(self, *_args) -> None:
        # A hardlinked copy becomes the kept file itself: there is nothing to copy from it.
        self.merge_box.setEnabled(not self.hardlink.isChecked())
        self.in_file.setEnabled(self.merge_box.isEnabled() and self.merge_box.isChecked())

    def merge(self) -> str | None:
        """'sidecar', 'file', or None: how the kept photos receive their copies' metadata."""
        if not (self.merge_box.isEnabled() and self.merge_box.isChecked()):
            return None
        return "file" if self.in_file.isChecked() else "sidecar"

    def _browse(self) -> None:
        start = self.folder.text().strip() or (start_folder(self.library, "move") if self.library else "")
        folder = QFileDialog.getExistingDirectory(self, "Move the removed photos into", start)
        if folder:
            remember("move", folder)
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
    merges = merge_lines(plan)
    if merges:
        question += "\n\nFirst copied to the kept photos:\n" + "\n".join(merges)
    details = "\n".join([f"skip {path}: {reason}" for path, reason in plan.skipped] +
                        [f"{os.path.basename(path)}: {note}" for path, note in getattr(plan, "notes", ())])
    return question, details


def merge_lines(plan) -> list[str]:
    """What each kept photo receives from its removed copies, one line per field."""
    lines = []
    for step in getattr(plan, "merges", ()):
        where = "into the file" if step.mode == "file" else "into its XMP sidecar"
        lines.append(f"{os.path.basename(step.plan.keeper)} ({where}):")
        lines.extend(f"  • {line}" for line in step.plan.lines)
    return lines
