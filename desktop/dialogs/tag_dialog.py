"""Defining a tag: "Teach a new tag…" (a name and example photos picked from the library) and
"New phrase tag…" (a name and the phrases that describe it).

Owns: the two forms, and saying why their main button is disabled (no name yet, fewer than
three photos picked, no phrase). Must not: define the tag (the tags view does, on the writer
thread) or load the library's photos (they are handed in).
"""
from __future__ import annotations

import re
from typing import Sequence

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QPlainTextEdit,
                               QVBoxLayout)

from ..widgets.photo_grid import PhotoGrid

MIN_EXAMPLES = 3   # what the engine asks of a tag taught by examples


def split_phrases(text: str) -> list[str]:
    """Phrases one per line or separated by commas; blanks dropped, order and first copy kept."""
    return list(dict.fromkeys(p.strip() for p in re.split(r"[,\n]", text) if p.strip()))


class TeachTagDialog(QDialog):
    def __init__(self, photos: Sequence, loader, existing: dict, preselected: Sequence[str] = (),
                 parent=None) -> None:
        """`existing`: tag name -> kind, to say when a name adds to a tag or cannot be taught."""
        super().__init__(parent)
        self.setWindowTitle("Teach a new tag")
        self.setObjectName("teachTagDialog")
        self.existing = existing
        self.resize(980, 700)
        intro = QLabel(f"Pick at least {MIN_EXAMPLES} photos that show what the tag means (Ctrl- or "
                       "Shift-click to pick several). Lookalike learns from them and finds the rest; "
                       "you can correct its mistakes afterwards.")
        intro.setWordWrap(True)
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. cats, receipts, holiday 2023")
        self.name.setMaxLength(64)
        self.grid = PhotoGrid(loader)
        self.grid.grid_model.set_photos(photos)
        wanted = set(preselected)
        for row, photo in enumerate(photos):
            if photo.path in wanted:
                self.grid.selectionModel().select(self.grid.grid_model.index(row),
                                                  QItemSelectionModel.SelectionFlag.Select)
        self.reason = QLabel()
        self.reason.setObjectName("hintLabel")
        self.reason.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.teach_button = self.buttons.addButton("Teach", QDialogButtonBox.ButtonRole.AcceptRole)
        self.teach_button.setObjectName("primaryButton")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Tag name", self.name)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.reason)
        layout.addWidget(self.buttons)
        self.name.textChanged.connect(self._update)
        self.grid.selectionModel().selectionChanged.connect(lambda *_: self._update())
        self._update()

    def tag_name(self) -> str:
        return " ".join(self.name.text().split())

    def examples(self) -> list[str]:
        return [photo.path for photo in self.grid.selected_photos()]

    def _update(self) -> None:
        name, picked = self.tag_name(), len(self.examples())
        kind = self.existing.get(name)
        if not name:
            why = "Name the tag to teach it."
        elif "/" in name or "\\" in name:
            why = "A tag name cannot hold slashes: it names a folder when photos are sorted."
        elif kind == "phrase":
            why = f"“{name}” is a phrase tag; choose another name for a tag taught by examples."
        elif picked < MIN_EXAMPLES and kind is None:
            why = f"Pick at least {MIN_EXAMPLES} example photos ({picked} picked)."
        elif picked == 0:
            why = f"Pick the photos to add to “{name}” as examples."
        else:
            why = ""
        self.teach_button.setEnabled(not why)
        if why:
            self.reason.setText(why)
        elif kind == "example":
            self.reason.setText(f"Adds {picked} examples to the tag “{name}”.")
        else:
            self.reason.setText(f"Teaches “{name}” from {picked} example photos.")


class PhraseTagDialog(QDialog):
    def __init__(self, existing: dict, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New phrase tag")
        self.setObjectName("phraseTagDialog")
        self.existing = existing
        self.resize(520, 320)
        intro = QLabel("Describe the photos in a few words; Lookalike finds them with the CLIP model "
                       "(the one text search uses). Several phrases, one per line or separated by "
                       "commas, catch more of them.")
        intro.setWordWrap(True)
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. sunsets")
        self.name.setMaxLength(64)
        self.phrases = QPlainTextEdit()
        self.phrases.setPlaceholderText("a sunset\nthe sun going down over the sea")
        self.reason = QLabel()
        self.reason.setObjectName("hintLabel")
        self.reason.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.create_button = self.buttons.addButton("Create tag", QDialogButtonBox.ButtonRole.AcceptRole)
        self.create_button.setObjectName("primaryButton")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Tag name", self.name)
        form.addRow("Phrases", self.phrases)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form, 1)
        layout.addWidget(self.reason)
        layout.addWidget(self.buttons)
        self.name.textChanged.connect(self._update)
        self.phrases.textChanged.connect(self._update)
        self._update()

    def tag_name(self) -> str:
        return " ".join(self.name.text().split())

    def phrase_list(self) -> list[str]:
        return split_phrases(self.phrases.toPlainText())

    def _update(self) -> None:
        name, phrases = self.tag_name(), self.phrase_list()
        kind = self.existing.get(name)
        if not name:
            why = "Name the tag."
        elif "/" in name or "\\" in name:
            why = "A tag name cannot hold slashes: it names a folder when photos are sorted."
        elif kind == "example":
            why = f"“{name}” is taught by examples; choose another name for a phrase tag."
        elif not phrases:
            why = "Write at least one phrase that describes the photos."
        else:
            why = ""
        self.create_button.setEnabled(not why)
        self.create_button.setText("Change phrases" if kind == "phrase" else "Create tag")
        self.reason.setText(why or (f"Replaces the phrases of “{name}”." if kind == "phrase" else
                                    f"{len(phrases)} phrase{'s' if len(phrases) != 1 else ''}."))
