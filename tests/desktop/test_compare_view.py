"""The compare view: synced zoom and pan, flicker, slider, difference, patch map, match overlay, details."""
import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, Qt

from helpers import edited_copy, photo, save, texture

from .conftest import wait_for_scan

FIT_TOLERANCE = 1e-6


@pytest.fixture()
def pair(tmp_path):
    scene = texture(4)
    exif = Image.Exif()
    exif[0x0110] = "Lookalike Test Camera"
    exif.get_ifd(0x8825).update({1: "N", 2: (47.0, 22.0, 0.0), 3: "E", 4: (8.0, 32.0, 0.0)})
    original = tmp_path / "original.jpg"
    scene.save(original, exif=exif, quality=95)
    return {"original": original, "copy": save(edited_copy(scene), tmp_path / "copy.jpg"),
            "other": save(texture(9), tmp_path / "other.png")}


def compare_ready(qtbot, window, paths):
    view = window.compare
    window.compare_photos([str(p) for p in paths])
    qtbot.waitUntil(lambda: view.explanation is not None and all(str(p) in view.images for p in paths)
                    and view.details.rowCount() > 0, timeout=30000)
    return view


def rendered(canvas) -> np.ndarray:
    canvas.repaint()
    image = canvas.grab().toImage().convertToFormat(canvas.grab().toImage().Format.Format_RGB888)
    width, height = image.width(), image.height()
    raw = np.frombuffer(bytes(image.constBits()), np.uint8)
    return raw.reshape(height, image.bytesPerLine())[:, :width * 3].reshape(height, width, 3).astype(int)


def test_side_by_side_puts_every_photo_of_a_group_on_one_zoom_and_pan(qtbot, open_window, pair):
    window = open_window()
    view = compare_ready(qtbot, window, [pair["original"], pair["copy"], pair["other"]])
    assert len(view.canvases) == 3 and all(c.isVisible() for c in view.canvases)
    first, second = view.canvases[0], view.canvases[1]
    qtbot.mouseClick(first, Qt.MouseButton.LeftButton)
    qtbot.keyClick(first, Qt.Key.Key_Plus)
    qtbot.keyClick(first, Qt.Key.Key_Plus)
    assert view.state.zoom == pytest.approx(1.25 ** 2)
    qtbot.keyClick(first, Qt.Key.Key_Left)
    centre = view.state.centre
    assert centre.x() < 0.5
    # The other photo shows the same part of itself: its normalised centre sits mid-canvas too.
    point = second.photo_to_widget().map(QPointF(centre.x() * second.photo.width(), centre.y() * second.photo.height()))
    assert abs(point.x() - second.width() / 2) < 1 and abs(point.y() - second.height() / 2) < 1
    qtbot.keyClick(first, Qt.Key.Key_1)
    assert first.fit_scale() * view.state.zoom * first.devicePixelRatioF() == pytest.approx(1.0)
    qtbot.keyClick(first, Qt.Key.Key_0)
    assert view.state.zoom == 1.0 and view.state.centre == QPointF(0.5, 0.5)


def test_the_wheel_zooms_at_the_cursor_keeping_that_point_still(qtbot, open_window, pair):
    window = open_window()
    view = compare_ready(qtbot, window, [pair["original"], pair["copy"]])
    canvas = view.canvases[0]
    at = QPointF(canvas.width() * 0.3, canvas.height() * 0.4)
    before = canvas.photo_to_widget().inverted()[0].map(at)
    canvas._zoom_at(1.25 ** 3, at)
    after = canvas.photo_to_widget().inverted()[0].map(at)
    assert abs(before.x() - after.x()) < 1 and abs(before.y() - after.y()) < 1 and view.state.zoom > 1.9


def test_flicker_alternates_a_and_b_and_space_pauses_it(qtbot, open_window, pair):
    window = open_window()
    view = compare_ready(qtbot, window, [pair["original"], pair["copy"]])
    qtbot.keyClick(view.canvases[0], Qt.Key.Key_F)
    assert view.mode == "flicker" and view.aligned.isVisible() and not any(c.isVisible() for c in view.canvases)
    seen = set()
    qtbot.waitUntil(lambda: seen.add(view.aligned.shown_name()) or seen == {"A", "B"}, timeout=5000)
    qtbot.keyClick(view.aligned, Qt.Key.Key_Space)
    assert not view.flicker.isActive()
    qtbot.keyClick(view.aligned, Qt.Key.Key_Space)
    assert view.flicker.isActive()


def test_the_slider_shows_a_on_the_left_and_b_lined_up_with_it_on_the_right(qtbot, open_window, pair):
    window = open_window()
    view = compare_ready(qtbot, window, [pair["original"], pair["copy"]])
    view.set_mode("slider")
    canvas = view.aligned
    canvas.set_mode("single")
    only_a = rendered(canvas)
    canvas.set_mode("slider")
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=QPoint(canvas.width() // 2, canvas.height() // 2))
    slid = rendered(canvas)
    half = canvas.width() // 2
    top, bottom = canvas.height() // 3, 2 * canvas.height() // 3
    assert np.array_equal(slid[top:bottom, 20:half - 20], only_a[top:bottom, 20:half - 20])
    right = np.abs(slid[top:bottom, half + 20:half + 120] - only_a[top:bottom, half + 20:half + 120]).mean()
    assert 0 < right < 30       # B, not A, yet lined up with A
    # Without the alignment, B's pixels do not line up with A's.
    canvas.align(canvas.other, view._b_to_a().scale(1.03, 1.03).translate(9, 0))
    shifted = np.abs(rendered(canvas)[top:bottom, half + 20:half + 120] - only_a[top:bottom, half + 20:half + 120])
    assert shifted.mean() > 2 * right


def test_the_difference_view_is_dark_for_a_copy_and_bright_for_another_photo(qtbot, open_window, pair, tmp_path):
    scene = photo(4, size=(640, 480))
    original = save(scene, tmp_path / "scene.png")
    copy = save(edited_copy(scene), tmp_path / "scene copy.jpg")
    window = open_window()
    view = compare_ready(qtbot, window, [original, copy])
    assert view.explanation.verdict == "copy"
    view.set_mode("difference")
    h, w = view.aligned.height(), view.aligned.width()
    copy_level = rendered(view.aligned)[h // 3:2 * h // 3, w // 3:2 * w // 3].mean()
    view.set_photos([str(original), str(pair["other"])])
    qtbot.waitUntil(lambda: view.explanation is not None and str(pair["other"]) in view.images, timeout=30000)
    assert view.explanation.verdict == "different"
    assert "stretched" in view.note.text()
    other_level = rendered(view.aligned)[h // 3:2 * h // 3, w // 3:2 * w // 3].mean()
    assert copy_level < 60 and other_level > 3 * copy_level


def test_the_match_overlay_draws_the_aligned_blocks_on_both_photos(qtbot, open_window, pair):
    window = open_window()
    view = compare_ready(qtbot, window, [pair["original"], pair["copy"]])
    assert view.verdict.text().startswith("Copy:") and "turned 8" in view.verdict.text()
    before = rendered(view.canvases[0])
    qtbot.keyClick(view.canvases[0], Qt.Key.Key_M)
    assert view.overlay_button.isChecked()
    a, b = view.canvases
    assert len(a.shapes) == len(b.shapes) == len(view.explanation.blocks) > 4
    assert sum(shape[1].green() > shape[1].red() for shape in a.shapes) > 0.55 * len(a.shapes)
    assert 0 < len(a.dots) == len(b.dots) <= min(150, view.explanation.matches)
    assert np.abs(rendered(a) - before).mean() > 1
    # Each block drawn on B is A's block moved by the transform (shapes are in loaded-picture pixels).
    (t00, t01, t02), (t10, t11, t12) = view.explanation.transform
    ka, kb = view._scale(view.a), view._scale(view.b)
    corner_a, corner_b = a.shapes[0][0].at(0), b.shapes[0][0].at(0)
    x, y = corner_a.x() / ka, corner_a.y() / ka
    assert abs((t00 * x + t01 * y + t02) * kb - corner_b.x()) < 0.01


def test_patch_maps_colour_both_photos_or_say_why_not_with_the_download_that_fixes_it(qtbot, open_window, pair,
                                                                                     model_dir, tmp_path):
    window = open_window(model_dir_=str(model_dir))
    view = compare_ready(qtbot, window, [pair["original"], pair["copy"]])
    plain = rendered(view.canvases[0])
    qtbot.keyClick(view.canvases[0], Qt.Key.Key_P)
    qtbot.waitUntil(lambda: len(view.layers) == 2, timeout=30000)
    assert all(c.layer is not None for c in view.canvases) and "dinov2-small" in view.patch_button.toolTip()
    assert np.abs(rendered(view.canvases[0]) - plain).mean() > 5
    view.set_mode("flicker")
    assert view.aligned.layer is not None and view.aligned.other_layer is not None

    bare = open_window(model_dir_=str(tmp_path / "no-models"), library_dir=tmp_path / "lib2")
    other = compare_ready(qtbot, bare, [pair["original"], pair["copy"]])
    other.patch_button.setChecked(True)
    qtbot.waitUntil(lambda: "No patch map" in other.note.text(), timeout=30000)
    assert not other.patch_button.isChecked() and "dinov2-small" in other.note.text()
    assert "lookalike" not in other.note.text() and "--" not in other.note.text()   # no command line
    fix = other.fix   # the message carries the button that fixes it, naming the size
    qtbot.waitUntil(lambda: fix.button.isVisible() and "MB)" in fix.button.text(), timeout=10000)
    assert fix.button.text().startswith("Download DINOv2 (")


def test_the_details_table_marks_what_differs_and_scores_say_what_they_mean(qtbot, open_window, pair):
    window = open_window()
    view = compare_ready(qtbot, window, [pair["original"], pair["copy"]])
    for field in ("Resolution", "File size", "Camera", "GPS"):
        assert field in view.details.differing
    assert "Format" not in view.details.differing
    row = [view.details.verticalHeaderItem(r).text() for r in range(view.details.rowCount())].index("Camera ≠")
    assert view.details.item(row, 0).text() == "Lookalike Test Camera" and view.details.item(row, 0).font().bold()
    scores = {view.table.item(r, 0).text(): (view.table.item(r, 1).text(), view.table.item(r, 2).text())
              for r in range(view.table.rowCount())}
    assert "phash" in scores and "sscd" in scores
    value, meaning = scores["sscd"]
    assert "%" not in value and len(value.split(".")[1]) == 3 and "threshold 0.35" in meaning


def test_compare_opens_the_shown_duplicate_group_with_its_keeper_as_a(qtbot, open_window, sample_photos):
    from lookalike.desktop.main_window import PAGES

    window = open_window()
    window.add_folder(str(sample_photos))
    wait_for_scan(qtbot, window)
    qtbot.waitUntil(lambda: bool(window.duplicates.pairs), timeout=30000)
    view = window.duplicates
    assert view.compare_button.isEnabled()
    group, proposal = view.pairs[view.groups.currentIndex().row()]
    qtbot.mouseClick(view.compare_button, Qt.MouseButton.LeftButton)
    assert window.nav.currentRow() == PAGES.index("Compare")
    assert window.compare.paths[0] == proposal.keeper.path
    assert sorted(window.compare.paths) == sorted(f.path for f in group.files)
    qtbot.waitUntil(lambda: window.compare.explanation is not None, timeout=30000)


def test_choosing_a_new_b_keeps_the_chosen_a_and_the_details_follow_a_and_b(qtbot, open_window, pair):
    window = open_window()
    view = compare_ready(qtbot, window, [pair["original"], pair["copy"], pair["other"]])
    view.choose_a.setCurrentIndex(2)
    view.choose_b.setCurrentIndex(0)
    assert view.details.horizontalHeaderItem(2).text() == "A: other.png"
    assert view.details.horizontalHeaderItem(0).text() == "B: original.jpg"
    view.set_photo(1, str(pair["copy"]))
    assert view.paths == [str(pair["other"]), str(pair["copy"])]
