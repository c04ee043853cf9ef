"""The thumbnail grid shows every photo's name, whatever the shape of the photos before it."""
from lookalike.desktop.main_window import PAGES
from helpers import photo, save

from .conftest import wait_for_scan


def test_a_square_photo_after_a_landscape_one_keeps_its_name_visible(qtbot, open_window, tmp_path):
    folder = tmp_path / "photos"
    save(photo(1, size=(480, 270)), folder / "a wide.png")
    save(photo(2, size=(400, 400)), folder / "b square.png")
    window = open_window(model="phash")
    window.add_folder(str(folder))
    wait_for_scan(qtbot, window)
    window.nav.setCurrentRow(PAGES.index("Photos"))
    grid = window.photos.grid
    qtbot.waitUntil(lambda: grid.grid_model.rowCount() == 2, timeout=10000)
    [wide, square] = grid.grid_model.photos
    qtbot.waitUntil(lambda: all(window.loader.pixmap(p, 160) is not None for p in (wide, square)), timeout=10000)
    grid.grid_model.set_photos([wide, square])   # laid out again, now with both thumbnails at hand
    qtbot.wait(300)
    cell = grid.visualRect(grid.grid_model.index(1))
    # A whole 160 px square thumbnail and a line of text under it fit in the square's cell.
    assert cell.height() >= 160 + grid.fontMetrics().height()
    assert grid.visualRect(grid.grid_model.index(0)).height() == cell.height()
