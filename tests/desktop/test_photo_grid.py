"""The thumbnail grid shows every photo's name, whatever the shape of the photos before it."""
from lookalike.desktop.main_window import PAGES
from helpers import photo, save

from .conftest import wait_for_scan


def _grid_with_thumbnails(qtbot, open_window, folder, count):
    """The Photos grid over `folder` once scanned, every readable photo's thumbnail cached."""
    window = open_window(model="phash")
    window.add_folder(str(folder))
    wait_for_scan(qtbot, window)
    window.nav.setCurrentRow(PAGES.index("Photos"))
    grid = window.photos.grid
    qtbot.waitUntil(lambda: grid.grid_model.rowCount() == count, timeout=10000)
    photos = list(grid.grid_model.photos)
    qtbot.waitUntil(lambda: all(window.loader.pixmap(p, 160) is not None for p in photos if not p.error),
                    timeout=10000)
    return window, grid, photos


def test_a_square_photo_after_a_landscape_one_keeps_its_name_visible(qtbot, open_window, tmp_path):
    folder = tmp_path / "photos"
    save(photo(1, size=(480, 270)), folder / "a wide.png")
    save(photo(2, size=(400, 400)), folder / "b square.png")
    _window, grid, [wide, square] = _grid_with_thumbnails(qtbot, open_window, folder, 2)
    grid.grid_model.set_photos([wide, square])   # laid out again, now with both thumbnails at hand
    qtbot.wait(300)
    cell = grid.visualRect(grid.grid_model.index(1))
    # A whole 160 px square thumbnail and a line of text under it fit in the square's cell.
    assert cell.height() >= 160 + grid.fontMetrics().height()
    assert grid.visualRect(grid.grid_model.index(0)).height() == cell.height()


def _name_and_thumbnail_rects(grid, row):
    """Where the grid's delegate draws a cell's thumbnail and its name, as the style lays them out."""
    from PySide6.QtCore import QRect
    from PySide6.QtWidgets import QStyle, QStyleOptionViewItem

    index = grid.grid_model.index(row)
    option = QStyleOptionViewItem()
    option.initFrom(grid.viewport())
    option.font = grid.font()
    option.fontMetrics = grid.fontMetrics()
    option.decorationSize = grid.iconSize()
    option.decorationPosition = QStyleOptionViewItem.Position.Top
    option.displayAlignment = index.data(0x0007)   # TextAlignmentRole
    option.features |= QStyleOptionViewItem.ViewItemFeature.HasDisplay | QStyleOptionViewItem.ViewItemFeature.HasDecoration
    option.rect = grid.visualRect(index)
    grid.itemDelegate().initStyleOption(option, index)
    style = grid.style()
    thumb = style.subElementRect(QStyle.SubElement.SE_ItemViewItemDecoration, option, grid)
    text = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, option, grid)
    name_height = grid.fontMetrics().height()
    return QRect(option.rect), QRect(thumb), QRect(text), name_height


def test_with_thumbnails_already_cached_and_a_large_font_every_name_shows_under_its_photo(
        qtbot, open_window, tmp_path):
    from PySide6.QtGui import QFont

    folder = tmp_path / "photos"
    save(photo(3, size=(300, 400)), folder / "a tall.png")
    save(photo(4, size=(480, 270)), folder / "b wide.png")
    save(photo(5, size=(400, 400)), folder / "c square.png")
    _window, grid, photos = _grid_with_thumbnails(qtbot, open_window, folder, 3)
    font = QFont(grid.font())
    font.setPointSize(24)   # a large system font, as a user with poor sight may have
    grid.setFont(font)
    grid.grid_model.set_photos(photos)   # laid out as at a restart: every thumbnail is cached
    qtbot.wait(300)
    for row in range(3):
        cell, thumb, text, name_height = _name_and_thumbnail_rects(grid, row)
        assert not text.intersects(thumb), (row, text, thumb)
        assert cell.contains(thumb) and text.top() >= thumb.bottom()
        assert text.top() + name_height <= cell.bottom() + 1, (row, text, cell)


def test_a_tall_a_wide_and_an_unreadable_photo_put_their_names_on_one_line(qtbot, open_window, tmp_path):
    folder = tmp_path / "photos"
    save(photo(6, size=(300, 400)), folder / "a tall.png")
    save(photo(7, size=(480, 270)), folder / "b wide.png")
    (folder / "c broken.jpg").write_bytes(b"")   # the square "cannot be read" placeholder
    _window, grid, photos = _grid_with_thumbnails(qtbot, open_window, folder, 3)
    grid.grid_model.set_photos(photos)
    qtbot.wait(300)
    rects = [_name_and_thumbnail_rects(grid, row) for row in range(3)]
    tops = {text.top() - cell.top() for cell, _thumb, text, _ in rects}
    assert len(tops) == 1, tops   # the walk saw the unreadable file's name lower than the others


def test_the_menu_key_opens_the_current_photos_menu_and_a_right_click_the_one_under_the_pointer(
        qtbot, open_window, tmp_path):
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QContextMenuEvent
    from PySide6.QtWidgets import QApplication

    folder = tmp_path / "photos"
    save(photo(8, size=(480, 270)), folder / "a.png")
    save(photo(9, size=(480, 270)), folder / "b.png")
    _window, grid, photos = _grid_with_thumbnails(qtbot, open_window, folder, 2)
    asked = []
    grid.photo_menu.connect(lambda p, _pos: asked.append(p.path))
    grid.setCurrentIndex(grid.grid_model.index(1))
    viewport = grid.viewport()
    # The Menu key with the pointer anywhere (here over no photo): the current photo's menu.
    QApplication.sendEvent(viewport, QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, QPoint(1, 1)))
    first = grid.visualRect(grid.grid_model.index(0)).center()
    QApplication.sendEvent(viewport, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, first))
    assert asked == [photos[1].path, photos[0].path]
