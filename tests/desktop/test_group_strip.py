"""Each group in the duplicates list shows its photos: the keeper first and badged, removals dimmed."""
import shutil
import threading

from PIL import Image
from PySide6.QtCore import QPoint, QRect, Qt

from lookalike.desktop.widgets.group_strip import STRIP_ROLE, badge_rect, cell_rects, cross_rect
from helpers import photo, save

from .conftest import wait_for_scan

YELLOW, BLUE = (230, 200, 40), (40, 60, 220)


def _tinted(seed, colour, size=(480, 360)):
    """A photo-like picture washed in one colour, so its thumbnail is told apart at a glance."""
    return Image.blend(photo(seed, size=size), Image.new("RGB", size, colour), 0.6)


def _two_groups(tmp_path):
    """A yellow photo with a smaller copy (near), and a blue photo with a byte-identical copy."""
    folder = tmp_path / "photos"
    save(_tinted(100, YELLOW), folder / "yellow.png")
    save(_tinted(100, YELLOW).resize((240, 180)), folder / "copies" / "yellow small.jpg", quality=90)
    save(_tinted(101, BLUE), folder / "blue.png")
    shutil.copy(folder / "blue.png", folder / "copies" / "blue copy.png")
    return folder


def _review(qtbot, open_window, folder, groups=2):
    window = open_window(model="phash")
    window.add_folder(str(folder))
    wait_for_scan(qtbot, window)
    view = window.duplicates
    qtbot.waitUntil(lambda: len(view.pairs) == groups and window.runner.idle, timeout=10000)
    files = [f for group, _ in view.pairs for f in group.files]
    qtbot.waitUntil(lambda: all(window.loader.pixmap(f, 160) is not None for f in files), timeout=10000)
    return window, view


def _row_of(view, name):
    return next(i for i, (group, _) in enumerate(view.pairs) if any(f.path.endswith(name) for f in group.files))


def _cells(view, row, count=None):
    item = view.groups.topLevelItem(row)
    count = count or len(item.data(0, STRIP_ROLE).photos)
    return cell_rects(view.groups.visualItemRect(item), view.groups.fontMetrics(), count)


def _shown(view):
    """The list as painted now."""
    return view.groups.viewport().grab().toImage()


def _mean(image, rect: QRect):
    points = [(x, y) for x in range(rect.left() + 4, rect.right() - 3, 2) for y in range(rect.top() + 4, rect.bottom() - 3, 2)]
    colours = [image.pixelColor(x, y) for x, y in points]
    return tuple(sum(getattr(c, part)() for c in colours) / len(colours) for part in ("red", "green", "blue"))


def _textured(image, rect: QRect):
    """A picture, not a flat placeholder or the row's background (looked at clear of the
    corner marks and frame)."""
    shades = [image.pixelColor(x, y).lightness() for x in range(rect.left() + 5, rect.left() + rect.width() * 2 // 3, 2)
              for y in range(rect.top() + 5, rect.top() + rect.height() * 2 // 3, 2)]
    mean = sum(shades) / len(shades)
    return (sum((s - mean) ** 2 for s in shades) / len(shades)) ** 0.5 > 4


def _at(image, rect: QRect, fx=0.5, fy=0.22):
    """The colour at a point inside a corner mark, clear of its white stroke."""
    c = image.pixelColor(QPoint(rect.left() + round(rect.width() * fx), rect.top() + round(rect.height() * fy)))
    return c.red(), c.green(), c.blue()


def _green(rgb):
    r, g, b = rgb
    return g > r + 50 and g > b + 30


def _red(rgb):
    r, g, b = rgb
    return r > g + 80 and r > b + 80


def _yellowish(rgb):
    r, g, b = rgb
    return (r + g) / 2 > b + 25


def _blueish(rgb):
    r, g, b = rgb
    return b > (r + g) / 2 + 25


def test_each_group_row_shows_thumbnails_of_its_own_photos_with_the_keeper_first(qtbot, open_window, tmp_path):
    window, view = _review(qtbot, open_window, _two_groups(tmp_path))
    image = _shown(view)
    for row, looks_right in ((_row_of(view, "yellow.png"), _yellowish), (_row_of(view, "blue.png"), _blueish)):
        group, proposal = view.pairs[row]
        strip = view.groups.topLevelItem(row).data(0, STRIP_ROLE)
        assert strip.photos[0].file == proposal.keeper
        assert sorted(p.file.path for p in strip.photos) == sorted(f.path for f in group.files)
        for cell in _cells(view, row):
            assert looks_right(_mean(image, cell)) and _textured(image, cell), (group.files[0].path, _mean(image, cell))
    # Under the photos the row still tells the sizes, and nothing is drawn past the strip.
    yellow = view.groups.topLevelItem(_row_of(view, "yellow.png"))
    assert "near" in yellow.text(0) and "reclaimable" in yellow.text(0)
    past = _cells(view, _row_of(view, "yellow.png"), 4)[3]
    assert not _yellowish(_mean(image, past)) and not _textured(image, past)


def test_the_keeper_is_framed_and_checked_and_a_photo_marked_for_removal_is_dimmed_under_a_red_cross(
        qtbot, open_window, tmp_path):
    window, view = _review(qtbot, open_window, _two_groups(tmp_path))
    row = _row_of(view, "yellow.png")
    keeper, copy = _cells(view, row)
    assert view.pairs[row][1].keeper.path.endswith("yellow.png")
    image = _shown(view)
    assert _green(_at(image, badge_rect(keeper))) and _green(_at(image, keeper, 0.01, 0.5))
    assert not _red(_at(image, cross_rect(keeper)))
    assert _red(_at(image, cross_rect(copy))) and not _green(_at(image, badge_rect(copy)))
    assert not _green(_at(image, copy, 0.01, 0.5))
    # Dimmed: the copy's picture is paler than the keeper's, the same picture at full strength.
    assert sum(_mean(image, copy)) > sum(_mean(image, keeper)) + 90


def test_toggling_photos_in_the_open_group_repaints_its_strip_and_rewords_its_row(qtbot, open_window, tmp_path):
    window, view = _review(qtbot, open_window, _two_groups(tmp_path))
    row = _row_of(view, "yellow.png")
    view.groups.setCurrentItem(view.groups.topLevelItem(row))
    qtbot.waitUntil(lambda: len(view.cards) == 2, timeout=10000)
    keeper_card = next(c for c in view.cards if c.file.path.endswith("yellow.png"))
    copy_card = next(c for c in view.cards if c is not keeper_card)
    keeper_card.toggle()
    copy_card.toggle()
    qtbot.waitUntil(lambda: window.runner.idle, timeout=10000)
    keeper, copy = _cells(view, row)
    image = _shown(view)
    assert _red(_at(image, cross_rect(keeper))) and not _green(_at(image, badge_rect(keeper)))
    assert _green(_at(image, badge_rect(copy))) and not _red(_at(image, cross_rect(copy)))
    strip = view.groups.topLevelItem(row).data(0, STRIP_ROLE)
    assert strip.photos[0].file.path.endswith("yellow.png")   # the strip keeps its order
    assert "keep yellow small.jpg" in view.groups.topLevelItem(row).toolTip(0)


def test_a_group_row_names_its_keeper_to_tooltips_and_screen_readers(qtbot, open_window, tmp_path):
    window, view = _review(qtbot, open_window, _two_groups(tmp_path))
    item = view.groups.topLevelItem(_row_of(view, "yellow.png"))
    group, _ = view.pairs[_row_of(view, "yellow.png")]
    said = item.toolTip(0)
    assert said.startswith("2 photos, near, keep yellow.png, ")
    assert "reclaimable" in said and said.endswith("1 marked for removal")
    assert item.data(0, Qt.ItemDataRole.AccessibleTextRole) == said


def _counted_after(image, cells, shown):
    """`shown` thumbnails, then a "+N" cell written in dark text, then nothing."""
    more = cells[shown]
    written = [image.pixelColor(x, more.center().y()) for x in range(more.left() + 4, more.right() - 3)]
    past = QRect(more.right() + 3, more.top(), image.width() - more.right() - 6, more.height())
    return (all(_yellowish(_mean(image, cell)) and _textured(image, cell) for cell in cells[:shown])
            and not _yellowish(_mean(image, more)) and any(c.lightness() < 120 for c in written)
            and past.width() > 8 and not _textured(image, past))


def test_a_group_of_eight_shows_five_thumbnails_and_counts_the_rest_or_four_in_a_narrow_list(
        qtbot, open_window, tmp_path):
    folder = tmp_path / "photos"
    save(_tinted(100, YELLOW), folder / "yellow.png")
    for i, width in enumerate((440, 400, 360, 320, 280, 240, 200)):
        save(_tinted(100, YELLOW).resize((width, width * 3 // 4)), folder / "copies" / f"yellow {i}.jpg", quality=90)
    window, view = _review(qtbot, open_window, folder, groups=1)
    assert len(view.pairs[0][0].files) == 8
    assert view.groups.topLevelItem(0).toolTip(0).startswith("8 photos, ")
    total = sum(view.splitter.sizes())
    for width, shown in ((view.groups.sizeHint().width(), 5), (view.groups.minimumWidth(), 4)):
        view.splitter.setSizes([width, total - width])
        qtbot.waitUntil(lambda: view.groups.width() == width, timeout=5000)
        assert _counted_after(_shown(view), _cells(view, 0, shown + 1), shown), (width, shown)


def test_thumbnails_that_land_after_the_list_is_shown_appear_without_touching_it(qtbot, open_window, tmp_path):
    window = open_window(model="phash")
    gate, thumbnail = threading.Event(), window.library.thumbnail

    def slow_thumbnail(*args, **kwargs):   # a slow disk: no thumbnail lands until the gate opens
        gate.wait(20)
        return thumbnail(*args, **kwargs)

    window.library.thumbnail = slow_thumbnail
    window.add_folder(str(_two_groups(tmp_path)))
    wait_for_scan(qtbot, window)
    view = window.duplicates
    qtbot.waitUntil(lambda: len(view.pairs) == 2, timeout=10000)
    cell = _cells(view, _row_of(view, "blue.png"))[0]
    on_screen = cell.translated(view.groups.viewport().mapTo(window, QPoint(0, 0)))

    def painted():   # what the screen shows, not a fresh rendering
        shot = window.screen().grabWindow(window.winId(), on_screen.x(), on_screen.y(),
                                          on_screen.width(), on_screen.height()).toImage()
        return shot, QRect(0, 0, on_screen.width(), on_screen.height())

    qtbot.wait(300)
    assert not _textured(*painted())      # an empty cell while the thumbnail loads
    gate.set()
    qtbot.waitUntil(lambda: _blueish(_mean(*painted())) and _textured(*painted()), timeout=5000)
