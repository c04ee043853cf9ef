"""The duplicates review: groups by reclaimable space, photos side by side, keep or remove.

Owns: the group list (one row per group, a strip of its photos painted by group_strip, kept
in step with the marks), the selected group's cards (keeper badged with the preset's reason),
keyboard review (arrows move, Delete toggles, Space shows it large, Enter accepts the group as
marked and opens the next: one key per burst series or group), the tier filter and
threshold slider that regroup live (and a quiet line saying where chance similarity ends),
the group's "Not duplicates" / "Keep all" decisions (and the Decisions dialog that forgets
them), and the clean-up flow with its Undo offer. A card's toggle goes to the tools, which
show it, make it one step of Undo marks and save it through the job runner's writer.
Must not: touch files or the catalog directly.
"""
from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QMessageBox, QPushButton, QScrollArea,
                               QSlider, QSplitter, QTreeWidgetItem, QVBoxLayout, QWidget)

from lookalike.engine import TIERS, human_size

from .. import operations as ops
from ..keyboard import buddy
from ..dialogs.clean_dialog import CleanDialog, confirmation_text
from ..dialogs.decisions_dialog import DecisionsDialog
from ..dialogs.notice import show_error
from ..widgets.calibration_line import CalibrationLine
from ..widgets.elided_label import ElidedLabel
from ..widgets.group_strip import GroupList, group_row, set_group_row
from ..widgets.photo_card import CARD_THUMB, PhotoCard
from ..widgets.scan_prompt import ScanPrompt
from ..widgets.thumbnails import thumbnail_key
from ..widgets.undo_bar import UndoBar
from .duplicates_tools import DuplicatesTools
from .viewer_window import show_viewer

# How the review words the engine's tiers (TIERS on its face), the default first. The engine's
# "all" is what "similar" shows here already.
TIER_WORDING = {"near": "Exact and near duplicates", "exact": "Exact copies only", "similar": "Also similar scenes"}


def tier_choices() -> list[tuple[str, str]]:
    """The engine's tiers the review offers, worded, the default first."""
    return [(tier, text) for tier, text in TIER_WORDING.items() if tier in TIERS]


class DuplicatesView(QWidget):
    changed_files = Signal()            # a clean-up or undo moved files: other views refresh
    message = Signal(str)               # a line for the status bar

    def __init__(self, library, runner, loader, on_photo_menu, on_compare=None, parent=None) -> None:
        super().__init__(parent)
        self.library, self.runner, self.loader = library, runner, loader
        self.on_photo_menu = on_photo_menu
        self.on_compare = on_compare or (lambda paths: None)
        self.pairs: list = []
        self.marks: dict[int, str] = {}
        self.stored_marks: dict[int, str] = {}   # the user's marks as saved; the rest are proposals
        self.cards: list[PhotoCard] = []
        self.current = -1                # the card the keyboard acts on
        self._user_threshold = False
        self._regrouping = None          # the running regroup's CancelToken: a newer one replaces it
        self._regroup_timer = QTimer(self)
        self._regroup_timer.setSingleShot(True)
        self._regroup_timer.setInterval(250)
        self._regroup_timer.timeout.connect(self.refresh)

        self.tier = QComboBox()
        for key, text in tier_choices():
            self.tier.addItem(text, key)
        self.tier.currentIndexChanged.connect(self._tier_changed)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(30, 100)
        self.slider.setFixedWidth(160)
        self.slider.valueChanged.connect(self._threshold_moved)
        self.threshold_label = QLabel()
        self.preset = QComboBox()
        self.preset.currentIndexChanged.connect(lambda _: self._regroup_timer.start())
        self.clean_button = QPushButton("Clean up…")
        self.clean_button.setObjectName("primaryButton")
        self.clean_button.clicked.connect(self.clean_up)
        self.summary = QLabel("")
        self.summary.setObjectName("summaryLabel")
        self.scan_prompt = ScanPrompt()   # "Not scanned yet" with Scan now, never a CLI command
        # "Chance similarity ends near 0.18 here (...)": where the threshold stands against chance.
        self.calibration = CalibrationLine(library, runner, ops.CALIBRATION_REVIEW, only_measured=True)
        controls, actions = QHBoxLayout(), QHBoxLayout()   # what is shown; what to do with it (two rows:
        for widget in (buddy("&Show", self.tier), self.tier, buddy("&Threshold", self.slider), self.slider,
                       self.threshold_label, buddy("&Keep-best preset", self.preset), self.preset):   # one: too wide)
            controls.addWidget(widget)
        controls.addStretch(1)
        actions.addStretch(1)
        actions.addWidget(self.clean_button)

        self.undo_bar = UndoBar(self.undo)

        self.groups = GroupList(loader)
        self.groups.currentItemChanged.connect(lambda *_: self._show_group())
        # A long path must not widen the window or squeeze the group list: cut at the end with
        # "…" (the tooltip has it whole; each card names its photo).
        self.detail_title = ElidedLabel("")
        self.detail_title.setObjectName("groupTitle")
        self.strip = QWidget()
        self.strip_layout = QHBoxLayout(self.strip)
        self.strip_layout.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)   # Tab goes to the cards themselves
        scroll.setWidget(self.strip)
        scroll.setMinimumHeight(CARD_THUMB + 190)
        self.compare_button = QPushButton("Compare…")
        self.compare_button.setToolTip("Look at this group's photos side by side, flicker, see why they match (C)")
        self.compare_button.setShortcut("C")
        self.compare_button.setEnabled(False)
        self.compare_button.clicked.connect(self.compare_group)
        self.different_button = QPushButton("Not duplicates")
        self.different_button.setToolTip("Remember these are different photos; the group is hidden from review")
        self.keep_all_button = QPushButton("Keep all")
        self.keep_all_button.setToolTip("They are copies, but keep every one; the group is hidden from review")
        heading = QHBoxLayout()
        heading.addWidget(self.detail_title, 1)
        for button, kind in ((self.different_button, "different"), (self.keep_all_button, "keep_all")):
            button.setEnabled(False)
            button.clicked.connect(partial(self.decide, kind))
            heading.addWidget(button)
        heading.addWidget(self.compare_button)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addLayout(heading)
        right_layout.addWidget(scroll, 1)
        keys = QLabel("Arrows move between photos and groups · Delete toggles keep/remove · Space or a "
                      "double-click shows the photo large · Enter accepts the group and opens the next")
        keys.setWordWrap(True)   # never widens the window
        right_layout.addWidget(keys)
        self.splitter = QSplitter()
        self.splitter.setObjectName("duplicatesSplitter")
        self.splitter.addWidget(self.groups)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addLayout(actions)
        layout.addWidget(self.undo_bar)
        layout.addWidget(self.summary)
        layout.addWidget(self.scan_prompt)
        layout.addWidget(self.calibration)
        layout.addWidget(self.splitter, 1)
        loader.ready.connect(self._thumbnail_ready)
        self.tools = DuplicatesTools(self, actions)   # the results table and the Mark menu
        self.reload_presets()
        self._tier_changed()

    # -- grouping ---------------------------------------------------------------------------
    def reload_presets(self) -> None:
        current = self.preset.currentText() or "default"
        self.preset.blockSignals(True)
        self.preset.clear()
        self.preset.addItems(list(self.library.presets()))
        self.preset.setCurrentText(current)
        self.preset.blockSignals(False)

    def _tier_changed(self) -> None:
        tier = self.tier.currentData()
        model = self.library.resolve_model_name(None)
        default = self.library.thresholds(model)["similar" if tier == "similar" else "near"]
        self.slider.blockSignals(True)
        self.slider.setValue(round(default * 100))
        self.slider.setEnabled(tier != "exact")
        self.slider.blockSignals(False)
        self.threshold_label.setText(f"{default:.2f}")
        self._user_threshold = False
        self._regroup_timer.start()
        self.calibration.load()

    def _threshold_moved(self, value: int) -> None:
        self._user_threshold = True
        self.threshold_label.setText(f"{value / 100:.2f}")
        self._regroup_timer.start()

    def _shown_threshold(self):
        tier = self.tier.currentData()
        return self.slider.value() / 100 if self._user_threshold and tier != "exact" else None

    def refresh(self) -> None:
        tier, threshold = self.tier.currentData(), self._shown_threshold()
        preset = self.preset.currentText() or None
        self.summary.setText("Regrouping…")   # never a stale group count (or Scan now) while it runs
        self.scan_prompt.hide()
        # Latest request wins: a slider drag cancels the older regroups instead of queueing them.
        self._regrouping = self.runner.read(partial(ops.regroup, self.library, preset, tier, threshold),
                                            self._show, lambda exc: self.summary.setText(self.scan_prompt.explain(exc)),
                                            label=ops.REGROUP, on_cancel=self._regroup_cancelled,
                                            key=ops.GROUPS_SHOWN)

    def _regroup_cancelled(self) -> None:
        self._regrouping = None
        self.summary.setText("Regrouping stopped; change a setting or scan to regroup.")

    def _show(self, result) -> None:
        self._regrouping = None
        self.scan_prompt.hide()
        self.pairs, stored, note = result
        # Every shown file starts as kept; only the proposals' removals (exact and near extras,
        # never the similar tier) are pre-marked, and the user's stored marks win.
        self.marks = {f.file_id: "keep" for group, _ in self.pairs for f in group.files}
        for _group, proposal in self.pairs:
            self.marks[proposal.keeper.file_id] = "keep"
            for f in proposal.remove:
                self.marks[f.file_id] = "remove"
            for f in proposal.protected:
                self.marks[f.file_id] = "keep"
        self.marks.update({fid: m for fid, m in stored.items() if fid in self.marks})
        self.stored_marks = dict(stored)
        selected = self.groups.currentIndex().row()
        self.groups.clear()
        for group, proposal in self.pairs:
            set_group_row(QTreeWidgetItem(self.groups), group_row(group, proposal, self.marks))
        total = sum(g.reclaimable_bytes for g, _ in self.pairs)
        self.summary.setText((f"{len(self.pairs)} groups · {human_size(total)} reclaimable"
                              if self.pairs else "No duplicates found at this threshold.") + (f" · {note}" if note else ""))
        self.clean_button.setEnabled(bool(self.pairs))
        if self.pairs:
            self.groups.setCurrentItem(self.groups.topLevelItem(self.tools.follow(selected)))   # the group, not its row
        else:
            self._show_group()

    def _show_group(self) -> None:
        row = self.groups.currentIndex().row()
        if 0 <= row < len(self.pairs) and self._same_cards(*self.pairs[row]):
            for card in self.cards:  # a refresh of the same group keeps the cards (and focus)
                card.set_mark(self.marks.get(card.file.file_id, card.mark))
            return
        if self.cards:   # new cards take the keyboard from old ones, never from the slider or list
            self._focus_cards = any(c.hasFocus() for c in self.cards)
        for card in self.cards:  # out of the layout now; deleteLater alone waits for the event loop
            self.strip_layout.removeWidget(card)
            card.hide()
            card.deleteLater()
        self.cards = []
        for button in (self.compare_button, self.different_button, self.keep_all_button):
            button.setEnabled(0 <= row < len(self.pairs))
        if row < 0 or row >= len(self.pairs):
            self.detail_title.setText("")
            return
        group, proposal = self.pairs[row]
        self._update_title(group)
        for f in group.files:
            reason = proposal.reason if f.file_id == proposal.keeper.file_id else ""
            card = PhotoCard(f, self.marks.get(f.file_id, "keep"), reason)
            # One undo step, shown everywhere and saved by the tools (a refresh's same mark is none).
            card.toggled.connect(lambda file_id, mark: self.tools.apply({file_id: mark}))
            card.menu_requested.connect(lambda file, pos: self.on_photo_menu(file, pos))
            card.navigate.connect(lambda step, c=card: self._move_focus(c, step))
            card.navigate_group.connect(self._move_group)
            card.accept_group.connect(self.accept_group)
            card.view_requested.connect(lambda c=card: show_viewer(
                self, self.library, self.runner, [k.file for k in self.cards], self.cards.index(c), "in this group"))
            card.focused.connect(lambda c=card: setattr(self, "current", self.cards.index(c)))
            self.strip_layout.addWidget(card, 0, Qt.AlignmentFlag.AlignTop)
            self.cards.append(card)
            card.set_pixmap(self.loader.pixmap(f, CARD_THUMB))
        self.current = 0 if self.cards else -1
        if self.cards and getattr(self, "_focus_cards", True):
            self.cards[0].setFocus()

    def compare_group(self) -> None:
        """The open group in the compare view, the keeper as A."""
        row = self.groups.currentIndex().row()
        if 0 <= row < len(self.pairs):
            group, proposal = self.pairs[row]
            others = [f.path for f in group.files if f.file_id != proposal.keeper.file_id]   # equal, not the same object
            self.on_compare([proposal.keeper.path, *others])

    # -- decisions --------------------------------------------------------------------------
    def decide(self, kind: str) -> None:
        """Remembers the open group as not duplicates ('different') or as copies to keep
        ('keep_all'); the engine hides it from then on, so the groups are made again."""
        row = self.groups.currentIndex().row()
        if not 0 <= row < len(self.pairs):
            return
        paths = [f.path for f in self.pairs[row][0].files]
        self.runner.write(ops.DECIDE, partial(ops.decide, self.library, paths, kind),
                          lambda decision: self._decided(kind, len(paths)),
                          on_error=lambda exc: show_error(self, "Decision not saved", exc))

    def _decided(self, kind: str, count: int) -> None:
        what = "not duplicates" if kind == "different" else "keep all"
        self.message.emit(f"Remembered: {what} ({count} photos). Undo: Edit ▸ Decisions…")
        self.refresh()

    def show_decisions(self) -> DecisionsDialog:
        dialog = DecisionsDialog(self.library, self.runner, self.refresh, self)
        dialog.open()
        return dialog

    def _same_cards(self, group, proposal) -> bool:
        return ([c.file for c in self.cards] == list(group.files) and
                all(c.keeper_reason == (proposal.reason if c.file.file_id == proposal.keeper.file_id else "")
                    for c in self.cards if not c.file.reference))

    def _thumbnail_ready(self, key: tuple) -> None:
        for card in self.cards:
            if thumbnail_key(card.file, CARD_THUMB) == key:
                card.set_pixmap(self.loader.pixmap(card.file, CARD_THUMB))

    def _update_title(self, group) -> None:
        """The group's heading says what the marks say now (they change with every toggle)."""
        removing = sum(1 for f in group.files if self.marks.get(f.file_id, "keep") == "remove")
        kept = [f for f in group.files if self.marks.get(f.file_id, "keep") == "keep"]
        what = f"keep {kept[0].path}" if len(kept) == 1 else f"keep {len(kept)}"
        kind = f"{group.tier} · burst series" if group.series else group.tier
        self.detail_title.setText(f"{len(group.files)} photos · {kind} · {what}"
                                  + (f" · {removing} marked for removal" if removing else ""))

    # -- keyboard ---------------------------------------------------------------------------
    def _move_focus(self, card: PhotoCard, step: int) -> None:
        index = self.cards.index(card) + step
        if 0 <= index < len(self.cards):
            self.current = index
            self.cards[index].setFocus()

    def current_card(self):
        return self.cards[self.current] if 0 <= self.current < len(self.cards) else None

    def accept_group(self) -> None:
        """The open group's marks, as shown (proposed or toggled), are saved as the user's own,
        and the next group opens: reviewing a burst series with the `bursts` preset is one key."""
        row = self.groups.currentIndex().row()
        if not 0 <= row < len(self.pairs):
            return
        group = self.pairs[row][0]
        items = [(f.file_id, self.marks.get(f.file_id, "keep")) for f in group.files]
        self.stored_marks.update(items)
        self.runner.write(ops.SAVE_MARKS, partial(ops.save_marks, self.library, items),
                          on_error=lambda exc: show_error(self, "Marks not saved", exc))
        removing = sum(1 for _, m in items if m == "remove")
        self.message.emit(f"Accepted: keep {len(items) - removing}, remove {removing}.")
        self._move_group(1)

    def _move_group(self, step: int) -> None:
        row = self.groups.currentIndex().row() + step
        if 0 <= row < len(self.pairs):
            self.groups.setCurrentItem(self.groups.topLevelItem(row))

    # -- clean-up ---------------------------------------------------------------------------
    def clean_up(self) -> None:
        items = [(fid, mark) for fid, mark in self.marks.items()]
        marked = sum(1 for _, m in items if m == "remove")
        if not marked:
            QMessageBox.information(self, "Nothing to clean up", "No photo is marked for removal.")
            return
        dialog = CleanDialog(marked, self, library=self.library)
        if dialog.exec() != CleanDialog.DialogCode.Accepted:
            return
        action, target = dialog.choice()
        preset = self.preset.currentText() or None
        tier, threshold = self.tier.currentData(), self._shown_threshold()
        self.runner.write(ops.PREPARE_CLEAN,
                          partial(ops.prepare_clean, self.library, items, action, target, preset, tier, threshold,
                                  dialog.merge()),
                          self._confirm,
                          on_error=lambda exc: show_error(self, "Clean-up not started", exc))

    def _confirm(self, plan) -> None:
        if not plan.items:
            QMessageBox.information(self, "Nothing to clean up", "None of the marked photos can be "
                                    "handled this way.\n\n" + confirmation_text(plan)[1])
            return
        question, details = confirmation_text(plan)
        box = QMessageBox(QMessageBox.Icon.Question, "Clean up", question,
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("confirmClean")
        if details:
            box.setDetailedText(details)
        if box.exec() != QMessageBox.StandardButton.Yes:
            return
        self.run_plan(plan)

    def run_plan(self, plan) -> None:
        self.runner.write(ops.CLEAN, partial(ops.clean, self.library, plan),
                          self._cleaned, on_error=lambda exc: show_error(self, "Clean-up stopped", exc))

    def _cleaned(self, report) -> None:
        verb = {"trash": "Moved to the trash", "move": "Moved", "hardlink": "Replaced with hardlinks"}[report.action]
        problems = f" · {len(report.skipped)} skipped" if report.skipped else ""
        self.undo_bar.offer(f"{verb}: {len(report.done)} photos, {human_size(report.bytes_freed)} freed{problems}.")
        self.changed_files.emit()
        self.refresh()

    def undo(self) -> None:
        self.runner.write(ops.UNDO, partial(ops.undo, self.library),
                          self._undone, on_error=lambda exc: show_error(self, "Undo incomplete", exc))

    def _undone(self, report) -> None:
        self.undo_bar.settle(f"Restored {len(report.done)} photos." +
                             (f" {len(report.skipped)} could not be restored." if report.skipped else ""),
                             more_to_undo=bool(report.skipped))
        self.changed_files.emit()
