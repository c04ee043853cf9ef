"""Bulk selection rules in the duplicates review: each marks what it says, says how many in the
status bar, is saved, and Undo marks puts back exactly the marks from before."""
import os

from PySide6.QtCore import Qt

from .conftest import wait_for_scan


def _review(qtbot, open_window, folder):
    window = open_window(model="phash")
    window.add_folder(str(folder))
    wait_for_scan(qtbot, window)
    view = window.duplicates
    qtbot.waitUntil(lambda: len(view.pairs) == 2 and len(view.cards) == 2 and window.runner.idle, timeout=15000)
    return window, view


def _choose(view, *titles):
    """Picks an entry of the Mark menu (a folder rule names its submenu, then the folder)."""
    menu = view.tools.menu
    menu.aboutToShow.emit()
    for title in titles:
        action = next(a for a in menu.actions() if a.text() == title)
        if action.menu() is None:
            assert action.isEnabled(), title
            action.trigger()
            return
        menu = action.menu()
    raise AssertionError(titles)


def _marked(view):
    return sorted(os.path.basename(f.path) for g, _ in view.pairs for f in g.files if view.marks[f.file_id] == "remove")


def _saved(qtbot, window, view):
    qtbot.waitUntil(lambda: window.runner.idle, timeout=10000)
    stored = window.library.marks()
    return {fid: stored.get(fid) for fid in view.marks}


def _copies(view):
    return next(os.path.dirname(f.path) for g, _ in view.pairs for f in g.files if f.path.endswith("shot1 copy.png"))


def test_mark_all_but_the_keeper_then_undo_marks_puts_back_the_users_marks_exactly(qtbot, open_window, sample_photos):
    window, view = _review(qtbot, open_window, sample_photos)
    keeper = next(c for c in view.cards if c.mark == "keep")
    other = next(c for c in view.cards if c is not keeper)
    keeper.toggle()
    other.toggle()                                 # the user's own choice: the other way round
    before = dict(view.marks)
    assert _saved(qtbot, window, view)[keeper.file.file_id] == "remove"

    _choose(view, "Mark all but the keeper")
    keepers = {p.keeper.file_id for _, p in view.pairs}
    assert all((view.marks[f.file_id] == "keep") == (f.file_id in keepers) for g, _ in view.pairs for f in g.files)
    assert keeper.mark == "keep" and other.mark == "remove"
    assert "1 photo marked for removal, 1 photo kept" in window.statusBar().currentMessage()
    assert _saved(qtbot, window, view)[keeper.file.file_id] == "keep"

    keeper.setFocus()
    qtbot.keyClick(keeper, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert view.marks == before
    assert keeper.mark == "remove" and other.mark == "keep"
    assert "put back" in window.statusBar().currentMessage()
    assert view.tools.undo_action.isEnabled()      # the two toggles before the rule are steps too
    view.refresh()                                 # made again from what was saved: the same marks
    qtbot.waitUntil(lambda: window.runner.idle and view.summary.text() != "Regrouping…", timeout=10000)
    assert view.marks == before


def test_marking_everything_in_a_folder_marks_only_its_photos_and_undo_steps_back_one_rule_at_a_time(
        qtbot, open_window, sample_photos):
    window, view = _review(qtbot, open_window, sample_photos)
    proposed = dict(view.marks)
    _choose(view, "Clear all marks")
    assert _marked(view) == []
    assert "2 photos kept" in window.statusBar().currentMessage()

    _choose(view, "Mark everything in folder", _copies(view))
    assert _marked(view) == ["shot0 small.jpg", "shot1 copy.png"]
    assert "2 photos marked for removal (2 marked in all)" in window.statusBar().currentMessage()
    saved = _saved(qtbot, window, view)
    assert sorted(os.path.basename(f.path) for g, _ in view.pairs for f in g.files
                  if saved[f.file_id] == "remove") == ["shot0 small.jpg", "shot1 copy.png"]

    view.tools.undo_action.trigger()
    assert _marked(view) == []
    view.tools.undo_action.trigger()
    assert view.marks == proposed


def test_keeping_a_folder_keeps_its_photos_and_marks_their_copies_elsewhere(qtbot, open_window, sample_photos):
    window, view = _review(qtbot, open_window, sample_photos)
    _choose(view, "Keep everything in folder, mark its copies elsewhere", _copies(view))
    assert _marked(view) == ["shot0.png", "shot1.png"]
    assert "would lose every copy" not in window.statusBar().currentMessage()
    assert {f.path.endswith(".png") and "copies" not in f.path for f in (c.file for c in view.cards if c.mark == "remove")} == {True}

    _choose(view, "Mark everything in folder", os.path.dirname(_copies(view)))   # the whole library
    assert "2 groups would lose every copy" in window.statusBar().currentMessage()


def test_clearing_the_marks_in_this_group_leaves_the_other_groups_marks(qtbot, open_window, sample_photos):
    window, view = _review(qtbot, open_window, sample_photos)
    assert len(_marked(view)) == 2                 # one proposed removal in each group
    open_ids = {c.file.file_id for c in view.cards}
    others = {fid: m for fid, m in view.marks.items() if fid not in open_ids}
    _choose(view, "Clear marks in this group")
    assert all(c.mark == "keep" for c in view.cards)
    assert "removal" not in view.detail_title.text()
    assert {fid: m for fid, m in view.marks.items() if fid not in open_ids} == others
    assert len(_marked(view)) == 1
    assert "1 photo kept (1 marked in all)" in window.statusBar().currentMessage()


def _stored(qtbot, window, file_ids):
    """The marks the library keeps for these files (None: no mark of the user's, the proposal)."""
    qtbot.waitUntil(lambda: window.runner.idle, timeout=10000)
    stored = window.library.marks()
    return {fid: stored.get(fid) for fid in file_ids}


def test_toggling_a_card_then_ctrl_z_puts_back_its_mark_on_screen_and_in_the_library(qtbot, open_window,
                                                                                    sample_photos):
    window, view = _review(qtbot, open_window, sample_photos)
    ids = list(view.marks)
    card = next(c for c in view.cards if c.mark == "keep")
    before, saved_before = dict(view.marks), _stored(qtbot, window, ids)
    card.button.click()                            # the card's own button
    assert card.mark == "remove"
    assert _stored(qtbot, window, ids)[card.file.file_id] == "remove"
    assert view.tools.undo_action.isEnabled()

    card.setFocus()
    qtbot.keyClick(card, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert card.mark == "keep" and view.marks == before
    assert _stored(qtbot, window, ids) == saved_before   # the proposal again, not a mark of the user's
    assert not view.tools.undo_action.isEnabled()

    qtbot.keyClick(card, Qt.Key.Key_Delete)        # Delete on the focused card is one step too
    assert card.mark == "remove"
    qtbot.keyClick(card, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert card.mark == "keep" and _stored(qtbot, window, ids) == saved_before


def test_ticking_a_photo_in_the_table_then_ctrl_z_puts_back_its_mark(qtbot, open_window, sample_photos):
    from lookalike.desktop.widgets.results_table import MARK, NAME

    window, view = _review(qtbot, open_window, sample_photos)
    ids = list(view.marks)
    before, saved_before = dict(view.marks), _stored(qtbot, window, ids)
    view.tools.show_table(True)
    table = view.tools.table
    row = next(r for r in range(table.proxy.rowCount())
               if table.proxy.index(r, MARK).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked)
    table.proxy.setData(table.proxy.index(row, MARK), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    assert view.marks != before and "remove" in _stored(qtbot, window, ids).values()

    table.table.setFocus()
    qtbot.keyClick(table.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert view.marks == before
    assert table.proxy.index(row, MARK).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    assert _stored(qtbot, window, ids) == saved_before

    qtbot.mouseClick(table.table.viewport(), Qt.MouseButton.LeftButton,
                     pos=table.table.visualRect(table.proxy.index(row, NAME)).center())
    qtbot.keyClick(table.table, Qt.Key.Key_Delete)  # Delete in the table: one step as well
    assert view.marks != before
    view.tools.undo_action.trigger()
    assert view.marks == before and _stored(qtbot, window, ids) == saved_before


def test_a_rule_then_a_single_toggle_are_undone_in_reverse_order(qtbot, open_window, sample_photos):
    window, view = _review(qtbot, open_window, sample_photos)
    ids = list(view.marks)
    proposed, saved_proposed = dict(view.marks), _stored(qtbot, window, ids)
    _choose(view, "Clear all marks")
    cleared, saved_cleared = dict(view.marks), _stored(qtbot, window, ids)
    assert _marked(view) == []
    card = view.cards[0]
    card.toggle()
    assert card.mark == "remove"

    view.tools.undo_action.trigger()               # first the toggle
    assert view.marks == cleared and card.mark == "keep"
    assert _stored(qtbot, window, ids) == saved_cleared
    view.tools.undo_action.trigger()               # then the rule
    assert view.marks == proposed
    assert _stored(qtbot, window, ids) == saved_proposed
    assert not view.tools.undo_action.isEnabled()


def test_the_undo_marks_action_names_its_shortcut(qtbot, open_window, sample_photos):
    from PySide6.QtGui import QKeySequence

    window, view = _review(qtbot, open_window, sample_photos)
    action = view.tools.undo_action
    key = QKeySequence(QKeySequence.StandardKey.Undo).toString(QKeySequence.SequenceFormat.NativeText)
    assert key and action.shortcut().toString(QKeySequence.SequenceFormat.NativeText) == key
    assert key in action.toolTip() and key in view.tools.mark_button.toolTip()
    assert action.isShortcutVisibleInContextMenu()   # the Mark menu shows it beside "Undo marks"
    view.tools.menu.aboutToShow.emit()
    assert action in view.tools.menu.actions()
