"""The Tags view: tag chips with counts, the selected tag's photos with scores, teaching and
correcting tags, and sorting photos into tag folders with Undo.

Owns: the chips (refreshed after scans and after every change), the grid of the selected
tag's photos (best first; near misses below the cut-off on request; Space or a double-click
shows one in the viewer), the plain sentence
shown instead of the grid when a tag cannot be scored (with the download button when a missing
CLIP is why), "Teach a new tag…" and "New phrase
tag…", one-click corrections ("Not TAG" / "Is TAG" on the selected photos), deleting a tag,
and "Sort into folders…" (plan, confirm, run, offer Undo). Engine work goes through the job
runner: changes on the writer thread, reads on the reader pool. Must not: touch files, the
catalog or a model itself.
"""
from __future__ import annotations

from functools import partial
from typing import Callable, Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout,
                               QWidget)

from lookalike.engine import TEXT_MODEL
from lookalike.engine.errors import ModelUnavailable

from .. import operations as ops
from ..dialogs.notice import sentence, show_error
from ..dialogs.organise_dialog import OrganiseDialog, nothing_to_sort_text, organise_confirmation_text
from ..dialogs.tag_dialog import PhraseTagDialog, TeachTagDialog
from ..widgets.model_fix import ModelFix
from ..widgets.photo_grid import PhotoGrid
from .viewer_window import show_viewer, view_on_space_and_double_click
from ..widgets.tag_chips import TagChips, capitalised
from ..widgets.undo_bar import UndoBar

SHOWN = 2000          # photos of one tag in the grid, best first
NEAR_MISSES = 0.15    # how far below the cut-off "Show near misses" reaches
YOURS = ("✓", "You said this photo is the tag.")


def describe_tag(tag) -> str:
    """What the tag is and how many photos carry it, for the line above its grid."""
    if tag.kind == "example":
        how = f"taught by {tag.examples} example photo{'s' if tag.examples != 1 else ''}"
        if tag.counterexamples:
            how += f" and {tag.counterexamples} counter-example{'s' if tag.counterexamples != 1 else ''}"
    else:
        how = "phrases: " + ", ".join(f"“{p}”" for p in tag.phrases)
    text = f"“{tag.name}” · {how}"
    if tag.problem:
        return text
    text += f" · {tag.photos} photos at or above the cut-off {tag.cutoff:.2f}, {tag.cutoff_source}"
    if tag.quality is not None:
        text += f"\n{capitalised(tag.quality.sentence())}."
        quality = tag.quality
        if quality.takes < 0.5 and (quality.recall < 0.7 or quality.takes >= 0.2):   # else said already
            text += " Correct its mistakes or teach it more examples to make it better."
    elif tag.kind == "example":
        text += "\nIts quality cannot be estimated yet: teach it more examples."
    return text


def problem_text(tag) -> str:
    text = f"“{tag.name}” cannot be scored yet: {tag.problem}"
    if tag.kind == "phrase":
        text += ("\n\nPhrase tags use the CLIP model, like text search. Tags taught by example photos "
                 "work without it: use “Teach a new tag…”.")
    return text


class TagsView(QWidget):
    changed_files = Signal()     # a sort or its undo moved photos: the window rescans
    batch_ran = Signal()         # a new batch ran: an older Undo offer elsewhere is stale

    def __init__(self, library, runner, loader, on_photo_menu,
                 selected_elsewhere: Callable[[], list] = list, *, downloads, parent=None) -> None:
        """`selected_elsewhere()`: paths the user selected in another view (the Photos view),
        picked already when "Teach a new tag…" opens."""
        super().__init__(parent)
        self.library, self.runner, self.loader = library, runner, loader
        self.selected_elsewhere = selected_elsewhere
        self.tags: dict = {}                   # name -> TagInfo, as last read
        self.current: Optional[str] = None

        title = QLabel("Tags")
        title.setObjectName("groupTitle")
        self.teach_button = QPushButton("Teach a new tag…")
        self.teach_button.setObjectName("primaryButton")
        self.teach_button.clicked.connect(self.teach)
        self.phrase_button = QPushButton("New phrase tag…")
        self.phrase_button.clicked.connect(self.new_phrase_tag)
        self.sort_button = QPushButton("Sort into folders…")
        self.sort_button.clicked.connect(self.sort_into_folders)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        for button in (self.teach_button, self.phrase_button, self.sort_button):
            top.addWidget(button)

        self.chips = TagChips()
        self.chips.selected.connect(self.show_tag)
        self.chips_hint = QLabel("Tags marked “not scored” cannot find photos yet; select one to see why.")
        self.chips_hint.setObjectName("hintLabel")
        self.chips_hint.hide()

        self.undo_bar = UndoBar(self.undo)

        self.info = QLabel("")
        self.info.setObjectName("summaryLabel")
        self.info.setWordWrap(True)
        self.note = QLabel("")
        self.note.setObjectName("hintLabel")
        self.note.setWordWrap(True)
        self.note.hide()
        self.problem = QLabel("")
        self.problem.setObjectName("problemLabel")
        self.problem.setWordWrap(True)
        self.problem.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.problem.hide()
        self.fix = ModelFix(downloads)   # "Download CLIP (605 MB)" when phrase tags need it

        self.not_button = QPushButton("✕ Not")
        self.not_button.setObjectName("notTagButton")
        self.not_button.clicked.connect(lambda: self.correct(False))
        self.is_button = QPushButton("✓ Is")
        self.is_button.clicked.connect(lambda: self.correct(True))
        self.correct_hint = QLabel("")
        self.correct_hint.setObjectName("hintLabel")
        self.near = QCheckBox("Show near misses")
        self.near.setToolTip(f"Also show photos scoring up to {NEAR_MISSES:.2f} below the cut-off, "
                             "to say which of them are the tag.")
        self.near.toggled.connect(lambda _: self.show_tag(self.current))
        self.delete_button = QPushButton("Delete tag…")
        self.delete_button.clicked.connect(self.delete_tag)
        self.corrections = QWidget()
        row = QHBoxLayout(self.corrections)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.not_button, self.is_button, self.correct_hint):
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(self.near)
        row.addWidget(self.delete_button)

        self.grid = PhotoGrid(loader)
        self.grid.setAccessibleName("Photos with this tag")
        self.grid.photo_menu.connect(on_photo_menu)
        view_on_space_and_double_click(self.grid, lambda row: show_viewer(
            self, library, runner, self.grid.grid_model.photos, row, "in this tag"))
        self.grid.selectionModel().selectionChanged.connect(lambda *_: self._update_corrections())
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.chips)
        layout.addWidget(self.chips_hint)
        layout.addWidget(self.undo_bar)
        layout.addWidget(self.info)
        layout.addWidget(self.note)
        layout.addWidget(self.corrections)
        layout.addWidget(self.problem)
        layout.addWidget(self.fix)
        layout.addWidget(self.grid, 1)
        layout.addStretch(0)   # takes the room when neither the grid nor a problem shows
        self._show_nothing("Tags appear here once the library's folders are scanned.")

    # -- showing tags ---------------------------------------------------------------------
    def refresh(self) -> None:
        self.runner.read(partial(ops.tags, self.library), self._show_tags,
                         lambda exc: self._show_nothing(sentence(exc)), key=ops.TAG_LIST)

    def _show_tags(self, tags, select: Optional[str] = None) -> None:
        self.tags = {t.name: t for t in tags}
        chosen = self.chips.set_tags(tags, keep=select or self.current)
        self.chips_hint.setVisible(any(t.problem for t in tags))
        self.sort_button.setEnabled(any(not t.problem for t in tags))
        self.sort_button.setToolTip("" if self.sort_button.isEnabled() else
                                    "No tag can be scored yet, so there is nothing to sort.")
        if chosen is None:
            self.current = None
            self._show_nothing("No tags yet. Teach one from example photos, or describe one in words.")
            return
        self.show_tag(chosen)

    def _show_nothing(self, text: str) -> None:
        self.info.setText(text)
        self.corrections.hide()
        self.problem.hide()
        self.fix.clear()
        self.grid.hide()
        self.grid.grid_model.set_photos([])

    def show_tag(self, name: Optional[str]) -> None:
        tag = self.tags.get(name)
        if tag is None:
            return
        if name != self.current:
            self._say("")
        self.current = name
        self.info.setText(describe_tag(tag))
        self.not_button.setText(f"✕ Not {name}")
        self.is_button.setText(f"✓ Is {name}")
        if tag.problem:
            self._show_problem(problem_text(tag))
            if tag.kind == "phrase":   # offered only while CLIP is missing
                self.fix.offer(TEXT_MODEL)
            self.corrections.show()
            self._update_corrections()
            return
        self.runner.read(partial(ops.tag_photos, self.library, name, SHOWN,
                                 NEAR_MISSES if self.near.isChecked() else 0.0),
                         partial(self._show_photos, name), self._tag_failed, key=ops.TAG_SHOWN)

    def _show_problem(self, text: str) -> None:
        self.fix.clear()
        self.problem.setText(text)
        self.problem.show()
        self.grid.hide()
        self.grid.grid_model.set_photos([])

    def _show_photos(self, name: str, result) -> None:
        if name != self.current:
            return
        info, found, yours, below = result
        self.tags[name] = info
        self.info.setText(describe_tag(info))
        marks = {fid: YOURS for fid in yours}
        marks.update({fid: ("·", f"Below the cut-off: not tagged {name}. Select it and click "
                                  f"“✓ Is {name}” if it is.") for fid in below})
        self.grid.grid_model.set_photos([p for p, _ in found], [s for _, s in found], marks)
        self.problem.hide()
        self.fix.clear()
        self.grid.show()
        self.corrections.show()
        self._update_corrections()

    def _tag_failed(self, exc) -> None:
        tag = self.tags.get(self.current)
        if isinstance(exc, ModelUnavailable):
            text = f"“{self.current}” cannot be scored now: the {exc.model} model is not on this computer."
        else:
            text = f"“{self.current}” cannot be shown: {sentence(exc)}"
        self._show_problem(text)
        if isinstance(exc, ModelUnavailable):
            self.fix.offer(exc.model, getattr(exc, "downloadable", None))
        if tag is not None:
            self._update_corrections()

    def _update_corrections(self) -> None:
        tag = self.tags.get(self.current)
        scorable = tag is not None and not tag.problem and self.grid.isVisibleTo(self)
        picked = len(self.grid.selected_photos()) if scorable else 0
        for button in (self.not_button, self.is_button):
            button.setVisible(scorable)
            button.setEnabled(picked > 0)
        self.near.setVisible(scorable)
        if scorable:
            self.correct_hint.setText(f"{picked} selected" if picked else
                                      f"Select photos, then say whether they are {self.current}.")
        else:
            self.correct_hint.setText("")

    def _say(self, note: str) -> None:
        """What the last change did ("Taught “cats” from 3 photos. …"), under the tag's line."""
        self.note.setText(note)
        self.note.setVisible(bool(note))

    # -- teaching, correcting, deleting -----------------------------------------------------
    def _kinds(self) -> dict:
        return {name: tag.kind for name, tag in self.tags.items()}

    def teach(self) -> None:
        self.runner.read(partial(ops.photos, self.library), self._open_teach,
                         lambda exc: show_error(self, "Photos not loaded", exc), key=ops.TEACH_PHOTOS)

    def _open_teach(self, photos) -> None:
        readable = [p for p in photos if not p.error]
        preselected = self.selected_elsewhere()
        dialog = TeachTagDialog(readable, self.loader, self._kinds(), preselected, self)
        self.teach_dialog = dialog
        if dialog.exec() != TeachTagDialog.DialogCode.Accepted:
            return
        name, examples = dialog.tag_name(), dialog.examples()
        self._define(name, f"Taught “{name}” from {len(examples)} photos.", "Tag not taught", examples=examples)

    def new_phrase_tag(self) -> None:
        dialog = PhraseTagDialog(self._kinds(), self)
        self.phrase_dialog = dialog
        if dialog.exec() != PhraseTagDialog.DialogCode.Accepted:
            return
        name, phrases = dialog.tag_name(), dialog.phrase_list()
        self._define(name, f"Created “{name}”.", "Tag not created", phrases=phrases)

    def _define(self, name: str, done: str, failed: str, **definition) -> None:
        """Defines (or adds to) a tag on the writer thread; `done` is said once it is there."""
        self.runner.write(ops.TEACH_TAG, partial(ops.define_tag, self.library, name, **definition),
                          lambda info: self._defined(info, done),
                          on_error=lambda exc: show_error(self, failed, exc))

    def _defined(self, info, text: str) -> None:
        self.current = info.name
        if info.quality is not None:
            text += f" {capitalised(info.quality.sentence())}."
        self._reload(text)

    def _reload(self, note: str) -> None:
        """Reads the tags again, keeping the current one, and says what just happened."""
        self.runner.read(partial(ops.tags, self.library),
                         lambda tags: (self._show_tags(tags, self.current), self._say(note)),
                         lambda exc: self._show_nothing(sentence(exc)), key=ops.TAG_LIST)

    def correct(self, is_tag: bool) -> None:
        name, picked = self.current, [p.path for p in self.grid.selected_photos()]
        if not name or not picked:
            return
        count = f"{len(picked)} photo{'s' if len(picked) != 1 else ''}"
        said = f"{count} {'are' if len(picked) != 1 else 'is'}{'' if is_tag else ' not'} {name}"
        self.runner.write(ops.CORRECT_TAG, partial(ops.correct_tag, self.library, name, picked, is_tag),
                          lambda info: self._reload(f"Noted: {said}. The tag now has {info.photos} photos."),
                          on_error=lambda exc: show_error(self, "Correction not saved", exc))

    def delete_tag(self) -> None:
        name = self.current
        if not name:
            return
        answer = QMessageBox.question(self, "Delete tag", f"Delete the tag “{name}”? Your photos are untouched: "
                                      "only the tag and what you taught it go.")
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.runner.write(ops.DELETE_TAG, partial(ops.delete_tag, self.library, name),
                          lambda _: (setattr(self, "current", None), self._reload(f"Deleted the tag “{name}”.")),
                          on_error=lambda exc: show_error(self, "Tag not deleted", exc))

    # -- sorting into folders ---------------------------------------------------------------
    def sort_into_folders(self) -> None:
        folders = self.library.folders()
        start = folders[0].path if folders else ""
        dialog = OrganiseDialog(list(self.tags.values()), self.current, start, self)
        self.organise_dialog = dialog
        if dialog.exec() != OrganiseDialog.DialogCode.Accepted:
            return
        self.runner.write(ops.PREPARE_ORGANISE,
                          partial(ops.plan_organise, self.library, dialog.destination(), dialog.chosen_tags()),
                          self._confirm_sort, on_error=lambda exc: show_error(self, "Sorting not started", exc))

    def _confirm_sort(self, plan) -> None:
        if not plan.items:
            QMessageBox.information(self, "Nothing to sort", nothing_to_sort_text(plan))
            return
        question, details = organise_confirmation_text(plan)
        box = QMessageBox(QMessageBox.Icon.Question, "Sort into folders", question,
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("confirmOrganise")
        box.setDetailedText(details)
        if box.exec() != QMessageBox.StandardButton.Yes:
            return
        self.runner.write(ops.ORGANISE, partial(ops.organise, self.library, plan), self._sorted,
                          on_error=lambda exc: show_error(self, "Sorting stopped", exc),
                          on_cancel=self._sort_cancelled)

    def _sorted(self, report) -> None:
        problems = f" · {len(report.skipped)} left where they were" if report.skipped else ""
        notes = "".join(f" · {path}: {why}" for path, why in report.notes)
        self.undo_bar.offer(f"Sorted {len(report.done)} photos into tag folders{problems}{notes}.")
        self.batch_ran.emit()
        self.changed_files.emit()
        self.refresh()

    def _sort_cancelled(self) -> None:
        self.undo_bar.offer("Sorting stopped; the photos moved so far stay sorted, and Undo puts them back.")
        self.batch_ran.emit()
        self.changed_files.emit()

    def undo(self) -> None:
        self.runner.write(ops.UNDO_ORGANISE, partial(ops.undo, self.library), self._undone,
                          on_error=lambda exc: show_error(self, "Undo incomplete", exc))

    def _undone(self, report) -> None:
        self.undo_bar.settle(f"Put back {len(report.done)} photos where they were." +
                             (f" {len(report.skipped)} could not be put back." if report.skipped else ""),
                             more_to_undo=bool(report.skipped))
        self.changed_files.emit()
        self.refresh()
