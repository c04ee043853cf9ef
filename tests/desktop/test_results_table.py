"""The results table: one row per photo, sorting, filtering, opening a group, marking from it,
and the open group staying open when the groups are made again in another order."""
import os
import shutil

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtTest import QTest

from lookalike.desktop.views.mark_rules import follow, identity
from lookalike.desktop.widgets.results_table import MARK, NAME, SIZE

from .conftest import wait_for_scan


def _review(qtbot, open_window, folder):
    window = open_window(model="phash")
    window.add_folder(str(folder))
    wait_for_scan(qtbot, window)
    view = window.duplicates
    qtbot.waitUntil(lambda: len(view.pairs) == 2 and window.runner.idle, timeout=15000)
    view.tools.show_table(True)
    return window, view, view.tools.table


def _shown_names(table, column=NAME):
    proxy = table.proxy
    return [proxy.index(r, column).data() for r in range(proxy.rowCount())]


def _sizes(table):
    proxy = table.proxy
    return [table.model.rows[proxy.mapToSource(proxy.index(r, 0)).row()][1].bytes for r in range(proxy.rowCount())]


def test_the_table_lists_one_row_per_photo_and_sorts_by_size_and_by_name(qtbot, open_window, sample_photos):
    _window, view, table = _review(qtbot, open_window, sample_photos)
    assert table.isVisible()
    shown = sorted(os.path.basename(f.path) for g, _ in view.pairs for f in g.files)
    assert sorted(_shown_names(table)) == shown and len(shown) == 4

    table.table.sortByColumn(SIZE, Qt.SortOrder.AscendingOrder)
    assert _sizes(table) == sorted(_sizes(table)) and _sizes(table)[0] < _sizes(table)[-1]
    table.table.sortByColumn(SIZE, Qt.SortOrder.DescendingOrder)
    assert _sizes(table) == sorted(_sizes(table), reverse=True)
    table.table.sortByColumn(NAME, Qt.SortOrder.AscendingOrder)
    assert _shown_names(table) == sorted(shown, key=str.lower)


def test_typing_in_the_filter_keeps_only_the_photos_whose_name_or_folder_holds_it(qtbot, open_window, sample_photos):
    _window, _view, table = _review(qtbot, open_window, sample_photos)
    qtbot.keyClicks(table.filter, "copies")
    assert sorted(_shown_names(table)) == ["shot0 small.jpg", "shot1 copy.png"]
    table.filter.clear()
    qtbot.keyClicks(table.filter, "SHOT1")
    assert sorted(_shown_names(table)) == ["shot1 copy.png", "shot1.png"]
    table.filter.clear()
    assert len(_shown_names(table)) == 4


def test_choosing_a_row_in_the_table_opens_its_group(qtbot, open_window, sample_photos):
    _window, view, table = _review(qtbot, open_window, sample_photos)
    names = _shown_names(table)
    for name in ("shot0.png", "shot1 copy.png"):
        row = names.index(name)
        qtbot.mouseClick(table.table.viewport(), Qt.MouseButton.LeftButton,
                         pos=table.table.visualRect(table.proxy.index(row, NAME)).center())
        assert name in [os.path.basename(c.file.path) for c in view.cards]
        assert len(view.cards) == 2


def test_ticking_a_photo_in_the_table_marks_it_for_removal_on_its_card_and_in_the_library(qtbot, open_window,
                                                                                          sample_photos):
    window, view, table = _review(qtbot, open_window, sample_photos)
    names = _shown_names(table)
    row = names.index("shot0.png")
    index = table.proxy.index(row, MARK)
    assert index.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    table.table.setCurrentIndex(table.proxy.index(row, NAME))
    qtbot.keyClick(table.table, Qt.Key.Key_Delete)   # Delete toggles the selected photo
    assert table.proxy.index(row, MARK).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    card = next(c for c in view.cards if c.file.path.endswith("shot0.png"))
    assert card.mark == "remove"
    qtbot.waitUntil(lambda: window.runner.idle, timeout=10000)
    assert window.library.marks()[card.file.file_id] == "remove"
    table.proxy.setData(table.proxy.index(row, MARK), Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    assert card.mark == "keep"


def test_after_a_watched_change_reorders_the_groups_the_open_group_stays_open(qtbot, open_window, sample_photos):
    window, view, table = _review(qtbot, open_window, sample_photos)
    row = next(i for i, (g, _) in enumerate(view.pairs) if any(f.path.endswith("shot0.png") for f in g.files))
    assert row == 1   # the small JPEG copy frees less than the PNG copy: its group comes second
    view.groups.setCurrentItem(view.groups.topLevelItem(row))
    # Two more copies of shot0 make its group the one that frees most: it moves to the top.
    for n in range(2):
        shutil.copy(sample_photos / "shot0.png", sample_photos / f"shot0 copy {n}.png")
    qtbot.waitUntil(lambda: any(len(g.files) == 4 for g, _ in view.pairs), timeout=30000)
    qtbot.waitUntil(lambda: window.runner.idle, timeout=15000)
    assert len(view.pairs[0][0].files) == 4
    assert view.groups.currentIndex().row() == 0
    assert any(c.file.path.endswith("shot0.png") for c in view.cards)
    assert table.current_group() == 0


def test_a_group_that_is_gone_gives_way_to_the_group_nearest_its_row():
    class F:
        def __init__(self, path):
            self.path, self.content_hash = path, None

    class G:
        def __init__(self, *paths):
            self.files = tuple(F(p) for p in paths)

    before = identity(G("/a/1.jpg", "/a/2.jpg"))
    pairs = [(G("/b/1.jpg", "/b/2.jpg"), None), (G("/c/1.jpg", "/c/2.jpg"), None), (G("/d/1.jpg", "/a/2.jpg"), None)]
    assert follow(before, 0, pairs) == 2          # shares a photo: that group, wherever it is now
    assert follow(identity(G("/x/1.jpg")), 1, pairs) == 1       # gone: the row nearest
    assert follow(identity(G("/x/1.jpg")), 7, pairs) == 2
    assert follow(None, 0, []) == -1


def test_with_ten_thousand_rows_only_the_rows_on_screen_ask_for_thumbnails(qtbot):
    from PySide6.QtCore import QObject, Signal

    from lookalike.desktop.widgets.results_table import ResultsTable

    class Loader(QObject):
        ready = Signal(object)

        def __init__(self):
            super().__init__()
            self.asked = set()

        def pixmap(self, photo, size):
            self.asked.add(photo.path)
            return None

    class File:
        def __init__(self, n):
            self.file_id, self.path, self.content_hash, self.bytes = n, f"/p/{n:05}.jpg", f"h{n}", 1000 + n
            self.width = self.height = 100
            self.taken_at, self.similarity, self.reference = None, 1.0, False

    class Group:
        def __init__(self, n):
            self.files = (File(2 * n), File(2 * n + 1))

    loader = Loader()
    table = ResultsTable(loader)
    qtbot.addWidget(table)
    table.resize(900, 500)
    table.show_groups([(Group(n), None) for n in range(5000)], {})
    table.show()
    qtbot.waitExposed(table)
    qtbot.waitUntil(lambda: bool(loader.asked))
    assert table.model.rowCount() == 10000
    assert 0 < len(loader.asked) < 30
    assert "/p/00000.jpg" in loader.asked


def test_double_clicking_a_row_opens_the_viewer_on_that_photo_walking_the_rows_as_sorted(qtbot, open_window,
                                                                                           sample_photos):
    from lookalike.desktop.views.viewer_window import ViewerWindow

    window, _view, table = _review(qtbot, open_window, sample_photos)
    table.table.sortByColumn(NAME, Qt.SortOrder.AscendingOrder)
    names = _shown_names(table)
    row = names.index("shot1.png")
    rect = table.table.visualRect(table.proxy.index(row, NAME))
    qtbot.mouseClick(table.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())   # a double-click's first
    qtbot.mouseDClick(table.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    viewer = window.findChild(ViewerWindow, "viewerWindow")
    assert viewer is not None and viewer.isVisible()
    assert [os.path.basename(f.path) for f in viewer.items] == names
    assert os.path.basename(viewer.items[viewer.index].path) == "shot1.png"
    qtbot.waitUntil(lambda: window.runner.idle, timeout=10000)
    viewer.close()


def test_the_table_gets_the_room_it_needs_and_the_cards_get_their_room_back(qtbot, open_window, sample_photos):
    _window, view, _table = _review(qtbot, open_window, sample_photos)
    view.tools.show_table(False)
    narrow = view.splitter.sizes()
    assert narrow[0] < narrow[1]                   # the group list is the narrow side
    view.tools.table_button.click()
    assert view.splitter.sizes()[0] > view.splitter.sizes()[1]
    view.tools.cards_button.click()
    assert view.splitter.sizes() == narrow and view.groups.isVisible()


def test_the_table_chosen_before_quitting_is_shown_again_at_the_next_start(qtbot, open_window, sample_photos):
    from PySide6.QtCore import QSettings

    from lookalike.desktop.window_settings import WINDOW_SETTINGS

    window = open_window(model="phash")
    window.add_folder(str(sample_photos))
    wait_for_scan(qtbot, window)
    tools = window.duplicates.tools
    assert tools.cards_button.isChecked()          # Cards the first time
    tools.table_button.click()
    library_dir = window.library.path
    window.close()
    window.library.close()
    assert QSettings(str(library_dir / WINDOW_SETTINGS), QSettings.Format.IniFormat).value("duplicates/layout") == "table"

    again = open_window(model="phash", library_dir=library_dir)
    tools = again.duplicates.tools
    assert tools.table_button.isChecked() and not tools.cards_button.isChecked()
    assert tools.stack.currentWidget() is tools.table and tools.table.isVisible()
    qtbot.waitUntil(lambda: tools.table.model.rowCount() == 4 and again.runner.idle, timeout=15000)
    splitter = again.duplicates.splitter
    qtbot.waitUntil(lambda: splitter.sizes()[0] > splitter.sizes()[1], timeout=5000)   # with its room

    tools.cards_button.click()                     # and Cards again is remembered as well
    again.close()
    again.library.close()
    third = open_window(model="phash", library_dir=library_dir)
    assert third.duplicates.tools.cards_button.isChecked() and third.duplicates.groups.isVisible()


def test_the_menu_key_sorts_the_table_without_a_mouse_and_names_the_delete_key(qtbot, open_window, sample_photos):
    from PySide6.QtWidgets import QApplication, QMenu

    _window, _view, table = _review(qtbot, open_window, sample_photos)
    table.table.setFocus()
    chosen = []

    def pick_size():   # what a keyboard user does in the open menu: Sort by › Size
        menu = QApplication.activePopupWidget()
        [sort] = [a for a in menu.actions() if a.text() == "Sort by"]
        [delete] = [a for a in menu.actions() if a.shortcut().toString() == "Del"]
        chosen.append(delete.text())
        [size] = [a for a in sort.menu().actions() if a.text() == "Size"]
        size.trigger()
        menu.close()

    for order, key in ((sorted, "Menu"), (lambda s: sorted(s, reverse=True), "Shift+F10")):   # Size, Size again
        QTimer.singleShot(200, pick_size)
        if key == "Menu":   # as the platform delivers the Menu key: a keyboard context-menu event
            QApplication.sendEvent(table.table.viewport(), QContextMenuEvent(
                QContextMenuEvent.Reason.Keyboard, table.table.viewport().rect().center()))
        else:   # Qt on X11 leaves Shift+F10 to the app (the real-window walk found it did nothing)
            QTest.keyClick(table.table, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
        qtbot.waitUntil(lambda: QApplication.activePopupWidget() is None, timeout=5000)
        assert _sizes(table) == order(_sizes(table)) and _sizes(table)[0] != _sizes(table)[-1]
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert chosen == ["Keep or remove the selected"] * 2 and not table.findChildren(QMenu)   # none left behind
