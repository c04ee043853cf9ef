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
from PySide6.QtWidgets import (QDialog, QFormLayout, QPlainTextEdit,
                               QVBoxLayout)

from ..widgets.photo_grid import PhotoGrid
from .form import dialog_buttons, intro_label, name_field, reason_label

MIN_EXAMPLES = 3   # what the engine asks of a tag taught by examples


def split_phrases(text: str) -> list[str]:
    """Phrases one per line or separated by commas; blanks dropped, order and first copy kept."""
    return list(dict.fromkeys(p.strip() for p in re.split(r"[,\n]", text) if p.strip()))



def clean_name(text: str) -> str:
    """A tag name as it is stored: inner runs of spaces made one, ends trimmed."""
    return " ".join(text.split())


def name_reason(name: str, kind, wanted: str, unnamed: str) -> str:
    """Why `name` cannot be used for a new tag of kind `wanted`, or "" (the rules both forms share)."""
    if not name:
        return unnamed
    if "/" in name or "\\" in name:
        return "A tag name cannot hold slashes: it names a folder when photos are sorted."
    if kind is not None and kind != wanted:
        return (f"“{name}” is a phrase tag; choose another name for a tag taught by examples."
                if wanted == "example" else
                f"“{name}” is taught by examples; choose another name for a phrase tag.")
    return ""


class TeachTagDialog(QDialog):
    def __init__(self, photos: Sequence, loader, existing: dict, preselected: Sequence[str] = (),
                 parent=None) -> None:
        """`existing`: tag name -> kind, to say when a name adds to a tag or cannot be taught."""
        super().__init__(parent)
        self.setWindowTitle("Teach a new tag")
        self.setObjectName("teachTagDialog")
        self.existing = existing
        self.resize(980, 700)
        intro = intro_label(f"Pick at least {MIN_EXAMPLES} photos that show what the tag means (Ctrl- or "
                             "Shift-click to pick several). Lookalike learns from them and finds the rest; "
                             "you can correct its mistakes afterwards.")
        self.name = name_field("e.g. cats, receipts, holiday 2023")
        self.grid = PhotoGrid(loader)
        self.grid.setAccessibleName("Example photos to choose from")
        self.grid.grid_model.set_photos(photos)
        wanted = set(preselected)
        for row, photo in enumerate(photos):
            if photo.path in wanted:
                self.grid.selectionModel().select(self.grid.grid_model.index(row),
                                                  QItemSelectionModel.SelectionFlag.Select)
        self.reason = reason_label()
        self.buttons, self.teach_button = dialog_buttons(self, "Teach")
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
        return clean_name(self.name.text())

    def examples(self) -> list[str]:
        return [photo.path for photo in self.grid.selected_photos()]

    def _update(self) -> None:
        name, picked = self.tag_name(), len(self.examples())
        kind = self.existing.get(name)
        why = name_reason(name, kind, "example", "Name the tag to teach it.")
        if not why and picked < MIN_EXAMPLES and kind is None:
            why = f"Pick at least {MIN_EXAMPLES} example photos ({picked} picked)."
        elif not why and picked == 0:
            why = f"Pick the photos to add to “{name}” as examples."
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
        intro = intro_label("Describe the photos in a few words; Lookalike finds them with the CLIP model "
                             "(the one text search uses). Several phrases, one per line or separated by "
                             "commas, catch more of them.")
        self.name = name_field("e.g. sunsets")
        self.phrases = QPlainTextEdit()
        self.phrases.setPlaceholderText("a sunset\nthe sun going down over the sea")
        self.reason = reason_label()
        self.buttons, self.create_button = dialog_buttons(self, "Create tag")
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
        return clean_name(self.name.text())

    def phrase_list(self) -> list[str]:
        return split_phrases(self.phrases.toPlainText())

    def _update(self) -> None:
        name, phrases = self.tag_name(), self.phrase_list()
        kind = self.existing.get(name)
        why = name_reason(name, kind, "phrase", "Name the tag.")
        if not why and not phrases:
            why = "Write at least one phrase that describes the photos."
        self.create_button.setEnabled(not why)
        self.create_button.setText("Change phrases" if kind == "phrase" else "Create tag")
        self.reason.setText(why or (f"Replaces the phrases of “{name}”." if kind == "phrase" else
                                    f"{len(phrases)} phrase{'s' if len(phrases) != 1 else ''}."))
