"""The duplicates review's table of results and its bulk selection rules, wired into the view.

Owns: the "Cards" / "Table" switch (the group list or the results table beside the open
group's cards), keeping the table in step with the groups and marks and the group list in
step with the table's chosen row, following the open group across reloads (by its photos,
not its row), Space or a double-click on a row opening the viewer on the table's rows, the
"Mark" menu (mark all but the keeper, mark everything in a folder, keep everything in a
folder, clear marks in this group or everywhere), applying a set of mark changes to
everything that shows marks and saving them through the job runner's writer, the status line
that counts what a rule did, and the undo stack of marks ("Undo marks", Ctrl+Z: each rule,
each card's toggle and each change asked for in the table is one step, and its undo puts back
exactly the marks before). The Cards/Table choice is kept in the library's window.ini, beside
the window's size and splitters, so the review opens the way the user left it.
Must not: touch files or the catalog directly, or decide what a rule marks (mark_rules does).
"""
from __future__ import annotations

from functools import partial

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QBoxLayout, QButtonGroup, QMenu, QPushButton, QStackedWidget

from .. import operations as ops
from ..dialogs.notice import show_error
from ..window_settings import window_settings
from ..widgets.group_strip import group_row, set_group_row
from ..widgets.results_table import ResultsTable
from . import mark_rules as rules
from .viewer_window import show_viewer, view_on_space_and_double_click

FOLDER_LIST = "folders for mark rules"   # the runner's latest-request-wins key
LAYOUT_KEY = "duplicates/layout"   # in window.ini: whether the review shows Cards or the Table


def _photos(count: int) -> str:
    return f"{count} photo" + ("" if count == 1 else "s")


class DuplicatesTools:
    """Built once by the DuplicatesView, after its own widgets; `controls` is its top row."""

    def __init__(self, view, controls) -> None:
        self.view = view
        # Each step: {file id: (the mark shown before, the mark saved before or None)}.
        self.undo_stack: list[dict[int, tuple]] = []
        self.library_folders: list[str] = []
        self._pairs = None
        self._card_sizes = None   # the splitter before the table widened it

        self.table = ResultsTable(view.loader)
        self.table.group_chosen.connect(self._choose_group)
        self.table.marks_requested.connect(lambda items: self.apply(dict(items), None))
        view_on_space_and_double_click(self.table.table, self._view_at)
        # The left pane: the group strips ("Cards") or the table, the open group's cards beside.
        self.stack = QStackedWidget()
        view.splitter.insertWidget(0, self.stack)
        self.stack.addWidget(view.groups)   # out of the splitter, into the stack
        self.stack.addWidget(self.table)
        self.cards_button, self.table_button = QPushButton("Cards"), QPushButton("Table")
        self.switch = QButtonGroup(view)
        for number, button in enumerate((self.cards_button, self.table_button)):
            button.setCheckable(True)
            self.switch.addButton(button, number)
        self.cards_button.setChecked(True)
        self.cards_button.setToolTip("Each group as a strip of its photos")
        self.table_button.setToolTip("Every photo as a row: sort by any column, filter by name or folder")
        self.switch.idClicked.connect(self._switched)

        self.undo_action = QAction("Undo marks", view)
        self.undo_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
        self.undo_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.undo_action.setShortcutVisibleInContextMenu(True)   # the menu names its key everywhere
        self.undo_key = self.undo_action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        self.undo_action.setToolTip(f"Put back the marks from before the last change ({self.undo_key})")
        self.undo_action.setEnabled(False)
        self.undo_action.triggered.connect(self.undo)
        view.addAction(self.undo_action)
        self.menu = QMenu(view)
        self.menu.aboutToShow.connect(self._fill_menu)
        self.mark_button = QPushButton("Mark ▾")   # a button like Cards and Table beside it
        self.mark_button.setObjectName("markButton")
        self.mark_button.setToolTip(f"Mark many photos at once by a rule; Undo marks ({self.undo_key}) "
                                    "puts back the marks before")
        self.mark_button.setMenu(self.menu)
        for at, widget in enumerate((self.cards_button, self.table_button, self.mark_button)):
            controls.insertWidget(at, widget)   # at the left of the actions row, Clean up… at its right
        self.open_group = None   # the open group's identity (its photos), to find it after a reload
        # QTreeWidget.clear() resets its model: the groups were made again (pairs and marks are new).
        view.groups.model().modelReset.connect(self._groups_reloaded)
        self._closed = False   # the window is going: the group list's last clear() finds no table
        self.table.destroyed.connect(lambda *_: setattr(self, "_closed", True))
        # A clean-up frees catalog ids for new photos: older marks must not land on them.
        view.changed_files.connect(self._forget_undo)
        view.groups.currentItemChanged.connect(self._group_opened)
        if self._layout_settings().value(LAYOUT_KEY) == "table":   # as the user left it
            self.show_table(True)

    # -- the table ------------------------------------------------------------------------------
    def _layout_settings(self) -> QSettings:
        return window_settings(self.view.library.path)

    def _switched(self, number: int) -> None:
        """The user chose Cards (0) or Table (1): shown, and remembered for the next start."""
        self.show_table(number == 1)
        stored = self._layout_settings()
        stored.setValue(LAYOUT_KEY, "table" if number == 1 else "cards")
        stored.sync()

    def show_table(self, on: bool) -> None:
        self.stack.setCurrentIndex(1 if on else 0)
        # Beside the table the cards pane is narrow: its cards stack and scroll down instead.
        self.view.strip_layout.setDirection(QBoxLayout.Direction.TopToBottom if on else
                                            QBoxLayout.Direction.LeftToRight)
        (self.table_button if on else self.cards_button).setChecked(True)
        sizes = self.view.splitter.sizes()
        if on and sum(sizes) and sizes[0] < sum(sizes) * 0.6:   # the table needs the room
            self._card_sizes = sizes
            self.view.splitter.setSizes([int(sum(sizes) * 0.66), int(sum(sizes) * 0.34)])
        elif not on and self._card_sizes:   # the group list as narrow as it was
            self.view.splitter.setSizes(self._card_sizes)
            self._card_sizes = None
        if on:
            self.table.select_group(self.view.groups.currentIndex().row())

    def _view_at(self, row: int) -> None:
        """The viewer on the photo in table row `row`, walking the rows as sorted and filtered."""
        files = self.table.shown_files()
        if 0 <= row < len(files):
            show_viewer(self.view, self.view.library, self.view.runner, files, row, "in the table")

    def _choose_group(self, row: int) -> None:
        if 0 <= row < len(self.view.pairs) and row != self.view.groups.currentIndex().row():
            self.view.groups.setCurrentItem(self.view.groups.topLevelItem(row))

    def _groups_reloaded(self) -> None:
        view = self.view
        if self._closed:
            return
        self._pairs = view.pairs
        self.table.show_groups(view.pairs, view.marks)
        view.runner.read(view.library.folders, self._folders_loaded, lambda exc: None, key=FOLDER_LIST)

    def _group_opened(self, *_) -> None:
        if self._closed or self.view.pairs is not self._pairs:
            return   # clear() moves the current row over the old rows while the groups are new
        row = self.view.groups.currentIndex().row()
        if 0 <= row < len(self.view.pairs):
            self.open_group = rules.identity(self.view.pairs[row][0])
        self.table.select_group(row)

    def follow(self, row: int) -> int:
        """The row to open after the groups were made again: the group open before, wherever it
        is now, or the nearest one to its old `row`."""
        return rules.follow(self.open_group, row, self.view.pairs)

    def _folders_loaded(self, folders) -> None:
        self.library_folders = [f.path for f in folders]

    # -- the Mark menu ------------------------------------------------------------------------
    def _fill_menu(self) -> None:
        view, menu = self.view, self.menu
        menu.clear()
        shown = bool(view.pairs)
        menu.addAction("Mark all but the keeper", self.mark_all_but_keeper).setEnabled(shown)
        places = rules.folders(view.pairs, self.library_folders) if shown else []
        for title, handler in (("Mark everything in folder", self.mark_folder),
                               ("Keep everything in folder, mark its copies elsewhere", self.keep_folder)):
            sub = menu.addMenu(title)
            sub.setEnabled(bool(places))
            for place in places:
                sub.addAction(place, partial(handler, place))
        menu.addSeparator()
        menu.addAction("Clear marks in this group", self.clear_group).setEnabled(self._open_group() is not None)
        menu.addAction("Clear all marks", self.clear_all).setEnabled(shown)
        menu.addSeparator()
        menu.addAction(self.undo_action)

    def _open_group(self):
        row = self.view.groups.currentIndex().row()
        return self.view.pairs[row] if 0 <= row < len(self.view.pairs) else None

    def mark_all_but_keeper(self) -> None:
        changes = rules.all_but_keeper(self.view.pairs, self.view.marks)
        self.apply(changes, "Marked all but the keeper")

    def mark_folder(self, folder: str) -> None:
        self.apply(rules.in_folder(self.view.pairs, self.view.marks, folder), f"Marked everything in {folder}")

    def keep_folder(self, folder: str) -> None:
        self.apply(rules.keep_folder(self.view.pairs, self.view.marks, folder), f"Keeping everything in {folder}")

    def clear_group(self) -> None:
        pair = self._open_group()
        if pair is not None:
            self.apply(rules.cleared([pair], self.view.marks), "Cleared the marks in this group")

    def clear_all(self) -> None:
        self.apply(rules.cleared(self.view.pairs, self.view.marks), "Cleared all marks")

    # -- applying and undoing -----------------------------------------------------------------
    def apply(self, changes: dict, what=None) -> None:
        """Shows and saves `changes` ({file id: mark}) as one undo step: a rule (`what` says
        which, and the status bar what it did), a card's toggle, a change asked for in the table."""
        view = self.view
        changes = {fid: m for fid, m in changes.items() if view.marks.get(fid, "keep") != m}
        if not changes:
            if what:
                view.message.emit(f"{what}: no mark changed.")
            return
        self.undo_stack.append({fid: (view.marks.get(fid, "keep"), view.stored_marks.get(fid)) for fid in changes})
        self.undo_action.setEnabled(True)
        self._set(changes, changes)
        if what:
            removing = sum(1 for m in changes.values() if m == "remove")
            words = [f"{_photos(removing)} marked for removal"] if removing else []
            if len(changes) - removing:
                words.append(f"{_photos(len(changes) - removing)} kept")
            total = sum(1 for m in view.marks.values() if m == "remove")
            whole = rules.whole_groups_marked(view.pairs, view.marks)
            warning = f" · {whole} group{'s' if whole != 1 else ''} would lose every copy" if whole else ""
            view.message.emit(f"{what}: {', '.join(words)} ({total} marked in all){warning}. Undo: {self.undo_key}")

    def _forget_undo(self) -> None:
        self.undo_stack.clear()
        self.undo_action.setEnabled(False)

    def undo(self) -> None:
        """Puts back the marks from before the latest change, exactly."""
        if not self.undo_stack:
            self.view.message.emit("No marks to undo.")
            return
        before = {fid: marks for fid, marks in self.undo_stack.pop().items() if fid in self.view.marks}
        self.undo_action.setEnabled(bool(self.undo_stack))
        # A mark that was only the preset's proposal is cleared again, not saved as the user's.
        self._set({fid: shown for fid, (shown, _) in before.items()},
                  {fid: saved for fid, (_, saved) in before.items()})
        self.view.message.emit(f"Marks put back as they were ({_photos(len(before))}).")

    def _set(self, changes: dict, saved: dict) -> None:
        """Shows `changes` ({file id: mark}) and saves `saved` ({file id: mark or None, which
        clears a saved mark})."""
        view = self.view
        view.marks.update(changes)
        for row, (group, proposal) in enumerate(view.pairs):
            if any(f.file_id in changes for f in group.files):
                set_group_row(view.groups.topLevelItem(row), group_row(group, proposal, view.marks))
        for card in view.cards:   # quietly: the change is saved below, once
            card.blockSignals(True)
            card.set_mark(view.marks.get(card.file.file_id, card.mark))
            card.blockSignals(False)
        pair = self._open_group()
        if pair is not None:
            view._update_title(pair[0])
        self.table.marks_changed(view.marks)
        for fid, mark in saved.items():
            if mark is None:
                view.stored_marks.pop(fid, None)
            else:
                view.stored_marks[fid] = mark
        view.runner.write(ops.SAVE_MARKS, partial(ops.save_marks, view.library, sorted(saved.items())),
                          on_error=lambda exc: show_error(view, "Marks not saved", exc))
