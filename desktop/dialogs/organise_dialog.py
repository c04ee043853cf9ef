"""Sorting photos into tag folders: choosing where and which tags, then the confirmation.

Owns: the destination (typed, or chosen starting in the library's first folder) and the tag
choice (the selected tag ticked; a tag that cannot be scored is listed with why it cannot be
picked), and the confirmation text (how many photos move, where, into which tag folders;
what is skipped and why in the details). Must not: plan or run the sort.
"""
from __future__ import annotations

import os
from collections import Counter
from typing import Optional, Sequence

from PySide6.QtWidgets import (QCheckBox, QDialog, QFileDialog, QLabel, QScrollArea, QVBoxLayout, QWidget)

from .form import dialog_buttons, folder_field, intro_label, reason_label


class OrganiseDialog(QDialog):
    def __init__(self, tags: Sequence, selected: Optional[str], start_folder: str, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sort into folders")
        self.setObjectName("organiseDialog")
        self.start_folder = start_folder
        self.resize(560, 460)
        intro = intro_label("Each photo of the ticked tags moves into a folder named after its tag inside the "
                             "destination (a photo with several tags goes to its best-scoring one). You see the "
                             "count before anything moves, and Undo puts every photo back.")
        self.folder, row = folder_field(os.path.join(start_folder, "Sorted") if start_folder else "",
                                        "Folder to sort the photos into", self._browse)
        self.boxes: dict[str, QCheckBox] = {}
        listing = QWidget()
        column = QVBoxLayout(listing)
        for tag in sorted(tags, key=lambda t: (bool(t.problem), t.name)):   # the ones to pick first
            if tag.problem:
                box = QCheckBox(f"{tag.name} (cannot be scored yet)")
                box.setEnabled(False)
                box.setToolTip(tag.problem)
            else:
                box = QCheckBox(f"{tag.name} ({tag.photos} photos)")
                box.setChecked(tag.name == selected)
                box.toggled.connect(self._update)
            column.addWidget(box)
            self.boxes[tag.name] = box
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(listing)
        problems = sorted({t.problem for t in tags if t.problem})
        self.problems = reason_label()
        self.problems.setText("Cannot be scored yet: " + " ".join(p[:1].upper() + p[1:] for p in problems))
        self.problems.setVisible(bool(problems))
        self.reason = reason_label()
        self.buttons, self.continue_button = dialog_buttons(self, "Continue…")
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(QLabel("Destination"))
        layout.addLayout(row)
        layout.addWidget(QLabel("Tags to sort"))
        layout.addWidget(scroll, 1)
        layout.addWidget(self.problems)
        layout.addWidget(self.reason)
        layout.addWidget(self.buttons)
        self.folder.textChanged.connect(self._update)
        self._update()

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Sort the photos into", self.folder.text() or self.start_folder)
        if folder:
            self.folder.setText(folder)

    def destination(self) -> str:
        return os.path.expanduser(self.folder.text().strip())

    def chosen_tags(self) -> list[str]:
        return [name for name, box in self.boxes.items() if box.isEnabled() and box.isChecked()]

    def _update(self) -> None:
        if not self.destination():
            why = "Choose the folder to sort the photos into."
        elif not self.chosen_tags():
            why = "Tick at least one tag to sort."
        else:
            why = ""
        self.continue_button.setEnabled(not why)
        self.reason.setText(why)


def organise_confirmation_text(plan) -> tuple[str, str]:
    """(question, details): how many photos move into which tag folders of the destination;
    the details list what is skipped and why, then each move."""
    per_tag = Counter(os.path.basename(os.path.dirname(item.destination)) for item in plan.items)
    folders = ", ".join(f"{tag} ({n})" for tag, n in sorted(per_tag.items(), key=lambda kv: (-kv[1], kv[0])))
    n = len(plan.items)
    question = (f"Move {n} photo{'s' if n != 1 else ''} into tag folders in {plan.target}?\n\n"
                f"Folders: {folders}.\nUndo puts every photo back where it was.")
    if plan.skipped:
        question += f"\n{len(plan.skipped)} photos are left where they are (see the details)."
    lines = [f"skip {path}: {reason}" for path, reason in plan.skipped]
    lines += [f"move {item.path} -> {item.destination}" for item in plan.items]
    return question, "\n".join(lines)


def nothing_to_sort_text(plan) -> str:
    skipped = "\n".join(f"{path}: {reason}" for path, reason in plan.skipped[:20])
    more = f"\n… and {len(plan.skipped) - 20} more" if len(plan.skipped) > 20 else ""
    return ("No photo of these tags can be moved." + (f"\n\n{skipped}{more}" if skipped else
                                                       " None of them carries the tag at its cut-off."))
