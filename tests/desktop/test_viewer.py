"""The large viewer opens on the chosen photo, moves through its sequence, zooms, and shows metadata."""
import os
import threading
import time

from PySide6.QtCore import Qt

from lookalike.desktop.main_window import PAGES
from lookalike.desktop.views.viewer_window import ViewerWindow

from .conftest import wait_for_scan


def _library_window(qtbot, open_window, folder):
    window = open_window(model="phash")
    window.add_folder(str(folder))
    wait_for_scan(qtbot, window)
    qtbot.waitUntil(lambda: window.photos.grid.grid_model.rowCount() == 5, timeout=10000)
    return window


def _viewer(qtbot, window, items, index, where="in this group"):
    viewer = ViewerWindow(window.library, window.runner, window)
    viewer.show_photos(items, index, where)
    qtbot.waitExposed(viewer)
    viewer.activateWindow()
    qtbot.waitUntil(lambda: viewer.isActiveWindow(), timeout=5000)
    return viewer


def test_opening_returns_at_once_and_the_picture_arrives_later_through_the_worker(qtbot, open_window, sample_photos):
    window = _library_window(qtbot, open_window, sample_photos)
    photos = window.photos.grid.grid_model.photos
    decoding, real = threading.Event(), window.library.picture

    def slow_picture(path, longest=None):
        decoding.set()
        time.sleep(0.6)   # a big photo's decode
        return real(path, longest)

    window.library.picture = slow_picture
    started = time.monotonic()
    viewer = _viewer(qtbot, window, photos, 1)
    assert time.monotonic() - started < 0.5
    assert viewer.image is None and viewer.canvas.photo is None   # "Loading…" meanwhile
    assert decoding.wait(5)
    qtbot.waitUntil(lambda: viewer.canvas.photo is not None, timeout=10000)
    assert (viewer.image.width(), viewer.image.height()) == (photos[1].width, photos[1].height)


def test_right_arrow_stops_at_the_last_photo_of_the_group_and_left_at_the_first(qtbot, open_window, sample_photos):
    window = _library_window(qtbot, open_window, sample_photos)
    group = window.photos.grid.grid_model.photos[:3]
    viewer = _viewer(qtbot, window, group, 1)
    name = os.path.basename(group[1].path)
    assert viewer.windowTitle() == f"{name} — 2 of 3 in this group"
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_Right)
    assert viewer.current is group[2] and "3 of 3 in this group" in viewer.windowTitle()
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_Right)
    assert viewer.current is group[2]                       # no wrap to the first
    assert not viewer.next_action.isEnabled() and viewer.previous_action.isEnabled()
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_Home)
    assert viewer.current is group[0]
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_Left)
    assert viewer.current is group[0] and not viewer.previous_action.isEnabled()
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_End)
    assert viewer.current is group[2]
    qtbot.waitUntil(lambda: viewer.canvas.photo is not None, timeout=10000)
    assert viewer.image.width() == group[2].width           # the picture followed the arrows


def test_the_metadata_panel_shows_the_photos_name_and_resolution_and_i_hides_it(qtbot, open_window, sample_photos):
    window = _library_window(qtbot, open_window, sample_photos)
    photos = window.photos.grid.grid_model.photos
    viewer = _viewer(qtbot, window, photos, 0, "in the library")

    def shown(label):
        rows = [viewer.details.verticalHeaderItem(r).text() for r in range(viewer.details.rowCount())]
        return viewer.details.item(rows.index(label), 0).text() if label in rows else None

    qtbot.waitUntil(lambda: shown("Resolution") is not None, timeout=10000)
    assert shown("Name") == os.path.basename(photos[0].path)
    assert shown("Resolution").startswith(f"{photos[0].width} × {photos[0].height}")
    assert viewer.details.isVisible()
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_I)
    assert not viewer.details.isVisible()
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_I)
    assert viewer.details.isVisible()


def test_zooming_in_enlarges_the_photo_and_0_or_a_double_click_fits_it_again(qtbot, open_window, sample_photos):
    window = _library_window(qtbot, open_window, sample_photos)
    viewer = _viewer(qtbot, window, window.photos.grid.grid_model.photos, 0)
    qtbot.waitUntil(lambda: viewer.canvas.photo is not None, timeout=10000)
    fitted = viewer.screen_scale()
    assert viewer.zoom_label.text() == "Zoom: fitted"
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_Plus)
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_Plus)
    assert viewer.screen_scale() > fitted * 1.5 and viewer.zoom_label.text().endswith("%")
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_1)
    assert abs(viewer.screen_scale() - 1.0) < 0.01            # one photo pixel per screen pixel
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_0)
    assert viewer.screen_scale() == fitted and viewer.zoom_label.text() == "Zoom: fitted"
    qtbot.mouseDClick(viewer.canvas, Qt.MouseButton.LeftButton)   # fitted <-> 1:1
    assert abs(viewer.screen_scale() - 1.0) < 0.01
    qtbot.mouseDClick(viewer.canvas, Qt.MouseButton.LeftButton)
    assert viewer.screen_scale() == fitted


def test_esc_closes_the_viewer(qtbot, open_window, sample_photos):
    window = _library_window(qtbot, open_window, sample_photos)
    viewer = _viewer(qtbot, window, window.photos.grid.grid_model.photos, 0)
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_Escape)
    assert not viewer.isVisible()


def test_space_in_the_photos_grid_opens_the_viewer_on_that_photo_and_right_walks_the_library(
        qtbot, open_window, sample_photos):
    window = _library_window(qtbot, open_window, sample_photos)
    window.nav.setCurrentRow(PAGES.index("Photos"))
    grid = window.photos.grid
    photos = grid.grid_model.photos
    grid.setFocus()
    grid.setCurrentIndex(grid.grid_model.index(3))
    qtbot.keyClick(grid, Qt.Key.Key_Space)
    viewer = window.findChild(ViewerWindow)
    assert viewer is not None and viewer.isVisible() and viewer.current is photos[3]
    assert viewer.windowTitle().endswith("4 of 5 in the library")
    viewer.next_action.trigger()
    assert viewer.current is photos[4]


def test_space_on_a_tags_photo_opens_it_among_the_tags_photos(qtbot, open_window, sample_photos):
    window = _library_window(qtbot, open_window, sample_photos)
    window.nav.setCurrentRow(PAGES.index("Tags"))
    grid = window.tags.grid
    shown = window.photos.grid.grid_model.photos[:3]
    grid.grid_model.set_photos(shown, [0.9, 0.8, 0.7])
    grid.setFocus()
    grid.setCurrentIndex(grid.grid_model.index(2))
    qtbot.keyClick(grid, Qt.Key.Key_Space)
    viewer = window.findChild(ViewerWindow)
    assert viewer is not None and viewer.current is shown[2]
    assert viewer.windowTitle().endswith("3 of 3 in this tag")


def test_double_clicking_a_search_result_opens_it_among_the_results(qtbot, open_window, sample_photos):
    window = _library_window(qtbot, open_window, sample_photos)
    window.nav.setCurrentRow(PAGES.index("Search"))
    grid = window.search.grid
    results = window.photos.grid.grid_model.photos[:2]
    grid.grid_model.set_photos(results, [0.9, 0.8])
    qtbot.wait(100)
    where = grid.visualRect(grid.grid_model.index(1)).center()
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=where)   # a double-click's first press
    qtbot.mouseDClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=where)
    viewer = window.findChild(ViewerWindow)
    assert viewer is not None and viewer.current is results[1]
    assert viewer.windowTitle().endswith("2 of 2 in these results")


def test_space_on_a_duplicate_card_opens_its_group_in_the_viewer_and_delete_still_toggles(
        qtbot, open_window, sample_photos):
    window = _library_window(qtbot, open_window, sample_photos)
    view = window.duplicates
    qtbot.waitUntil(lambda: len(view.cards) == 2, timeout=10000)
    first, second = view.cards
    mark = second.mark
    qtbot.keyClick(second, Qt.Key.Key_Space)
    assert second.mark == mark                          # Space no longer toggles
    viewer = window.findChild(ViewerWindow)
    assert viewer.current is second.file and viewer.windowTitle().endswith("2 of 2 in this group")
    viewer.previous_action.trigger()
    assert viewer.current is first.file
    viewer.close()
    qtbot.keyClick(second, Qt.Key.Key_Delete)
    assert second.mark != mark


def test_open_in_the_menu_shows_our_viewer_when_no_program_opens_photos(qtbot, open_window, sample_photos,
                                                                        monkeypatch):
    from PySide6.QtGui import QDesktopServices

    from lookalike.desktop.widgets.photo_menu import photo_menu

    window = _library_window(qtbot, open_window, sample_photos)
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: False))   # no launcher
    photo = window.photos.grid.grid_model.photos[2]
    menu = photo_menu(window, photo, window.find_similar, window.compare_with, window.view_instead)
    next(a for a in menu.actions() if a.text() == "Open").trigger()
    viewer = window.findChild(ViewerWindow)
    assert viewer is not None and viewer.isVisible() and viewer.current is photo
    assert "viewer" in window.statusBar().currentMessage()


def test_the_next_photo_is_read_ahead_so_right_shows_it_at_once(qtbot, open_window, sample_photos):
    window = _library_window(qtbot, open_window, sample_photos)
    photos = window.photos.grid.grid_model.photos
    viewer = _viewer(qtbot, window, photos, 0, "in the library")
    qtbot.waitUntil(lambda: viewer.canvas.photo is not None and window.runner.idle, timeout=10000)
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_Right)
    assert viewer.current is photos[1] and viewer.canvas.photo is not None   # no "Loading…" in between
    assert viewer.image.width() == photos[1].width


def test_a_big_photo_opens_screen_sized_and_1_loads_its_full_resolution(qtbot, open_window, tmp_path):
    from helpers import photo, save

    folder = tmp_path / "big"
    save(photo(7, size=(3000, 2000)), folder / "big.png")
    window = open_window(model="phash")
    window.add_folder(str(folder))
    wait_for_scan(qtbot, window)
    qtbot.waitUntil(lambda: window.photos.grid.grid_model.rowCount() == 1, timeout=10000)
    viewer = _viewer(qtbot, window, window.photos.grid.grid_model.photos, 0)
    qtbot.waitUntil(lambda: viewer.canvas.photo is not None, timeout=10000)
    assert viewer.image.width() < 3000                      # a screen's worth first: quick to decode
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_1)
    qtbot.waitUntil(lambda: viewer.image.width() == 3000, timeout=10000)
    assert abs(viewer.screen_scale() - 1.0) < 0.01 and viewer.zoom_label.text() == "Zoom: 100%"


def test_every_viewer_action_names_its_keys_in_its_tooltip_and_the_photos_menu(qtbot, open_window, sample_photos):
    from PySide6.QtGui import QKeySequence

    window = _library_window(qtbot, open_window, sample_photos)
    viewer = _viewer(qtbot, window, window.photos.grid.grid_model.photos, 0)
    menu = {a.text(): a for a in viewer.canvas.actions()}   # the right-click menu on the photo
    assert {"◀ Previous", "Next ▶", "First", "Last", "Fit", "1:1", "+", "−", "Details", "Close"} <= set(menu)
    assert menu["Next ▶"].shortcut() == QKeySequence("Right") and "(Right)" in menu["Next ▶"].toolTip()
    assert "(Esc or Space)" in menu["Close"].toolTip() and "(I)" in menu["Details"].toolTip()
    assert viewer.canvas.contextMenuPolicy() == Qt.ContextMenuPolicy.ActionsContextMenu
