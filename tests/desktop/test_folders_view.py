"""The Folders page as a user meets it: folders with their counts, removing and marking them,
the files that could not be read, and the status-bar link that leads to them."""
import os

from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from lookalike.desktop.main_window import PAGES
from helpers import photo, save

from .conftest import wait_for_scan, when_modal


def broken_folder(tmp_path):
    """One good photo, a 0-byte .jpg and a truncated .jpg."""
    folder = tmp_path / "broken"
    save(photo(7), folder / "fine.jpg")
    (folder / "empty.jpg").write_bytes(b"")
    whole = save(photo(8, size=(640, 480)), tmp_path / "whole.jpg", quality=95).read_bytes()
    (folder / "cut.jpg").write_bytes(whole[: len(whole) // 3])
    return folder


def window_with_two_folders(qtbot, open_window, sample_photos, tmp_path):
    broken = broken_folder(tmp_path)
    window = open_window(model="phash")
    window.add_folder(str(sample_photos))
    wait_for_scan(qtbot, window)
    window.add_folder(str(broken))
    wait_for_scan(qtbot, window)
    window.nav.setCurrentRow(PAGES.index("Folders"))
    qtbot.waitUntil(lambda: window.folders.table.rowCount() == 2, timeout=10000)
    return window, os.path.realpath(broken)


def rows(view):
    table = view.table
    return {table.item(r, 0).text(): tuple(table.item(r, c).text() for c in (1, 2, 3))
            for r in range(table.rowCount())}


def select_folder(view, path):
    view.table.selectRow(next(r for r in range(view.table.rowCount()) if view.table.item(r, 0).text() == path))


def test_the_folders_page_lists_each_folder_with_its_photos_and_unreadable_files(
        qtbot, open_window, sample_photos, tmp_path):
    window, broken = window_with_two_folders(qtbot, open_window, sample_photos, tmp_path)
    assert window.pages.currentWidget() is window.folders
    assert rows(window.folders) == {os.path.realpath(sample_photos): ("5", "—", ""), broken: ("3", "2", "")}
    assert window.folders.summary.text() == "2 folders · 8 photos"


def test_remove_asks_first_then_the_folder_leaves_the_list_and_the_library_but_not_the_disk(
        qtbot, open_window, sample_photos, tmp_path):
    window, broken = window_with_two_folders(qtbot, open_window, sample_photos, tmp_path)
    view = window.folders
    select_folder(view, broken)
    asked = []
    when_modal(lambda box: (asked.append(box.text()), box.button(QMessageBox.StandardButton.No).click()))
    qtbot.mouseClick(view.remove_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(asked), timeout=5000)
    assert "untouched" in asked[0] and broken in asked[0]
    assert len(window.library.folders()) == 2   # "No" keeps it

    when_modal(lambda box: box.button(QMessageBox.StandardButton.Yes).click())
    qtbot.mouseClick(view.remove_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.table.rowCount() == 1, timeout=10000)
    assert list(rows(view)) == [os.path.realpath(sample_photos)]
    assert [f.path for f in window.library.folders()] == [os.path.realpath(sample_photos)]
    assert sorted(os.listdir(broken)) == ["cut.jpg", "empty.jpg", "fine.jpg"]
    qtbot.waitUntil(lambda: not view.problems.problems, timeout=10000)
    assert not view.status_link.isVisible()   # its unreadable files went with it


def test_mark_as_reference_flips_the_folder_and_unmark_flips_it_back(qtbot, open_window, sample_photos, tmp_path):
    window, broken = window_with_two_folders(qtbot, open_window, sample_photos, tmp_path)
    view = window.folders
    select_folder(view, broken)
    assert view.reference_button.text() == "Mark as reference"
    qtbot.mouseClick(view.reference_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: rows(view)[broken][2] == "Yes", timeout=10000)
    assert window.library.reference_folders() == [broken]
    assert view.reference_button.text() == "Unmark reference"
    qtbot.mouseClick(view.reference_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: rows(view)[broken][2] == "", timeout=10000)
    assert window.library.reference_folders() == []


def test_the_problems_list_shows_both_unreadable_files_with_reasons_and_the_filter_narrows_it(
        qtbot, open_window, sample_photos, tmp_path, monkeypatch):
    window, broken = window_with_two_folders(qtbot, open_window, sample_photos, tmp_path)
    problems = window.folders.problems
    reasons = problems.visible_reasons()
    assert reasons.keys() == {"empty.jpg", "cut.jpg"}
    assert reasons["empty.jpg"] == "empty file (0 bytes)" and "truncated" in reasons["cut.jpg"]
    assert {problems.table.item(r, 1).text() for r in range(2)} == {broken}
    assert problems.heading.text() == "Problems: 2 files could not be read"

    problems.filter.setText("truncated")
    assert list(problems.visible_reasons()) == ["cut.jpg"]
    assert problems.heading.text().endswith("· showing 1")

    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()))
    problems.select(os.path.join(broken, "cut.jpg"))
    qtbot.mouseClick(problems.reveal_button, Qt.MouseButton.LeftButton)
    assert opened == [broken]
    qtbot.mouseClick(problems.copy_button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == os.path.join(broken, "cut.jpg")


def test_the_status_bar_link_stays_after_the_scan_and_opens_the_problems_list(
        qtbot, open_window, sample_photos, tmp_path):
    window, _ = window_with_two_folders(qtbot, open_window, sample_photos, tmp_path)
    window.nav.setCurrentRow(PAGES.index("Duplicates"))
    link = window.folders.status_link
    assert link.isVisible() and link.text() == "⚠ 2 could not be read"
    window.statusBar().showMessage("something else", 1)   # a later message does not hide it
    window.request_scan()   # a rescan does not read the bad files again, and they are still there
    summary = wait_for_scan(qtbot, window)
    assert summary.failed == 0
    assert link.isVisible() and link.text() == "⚠ 2 could not be read"
    assert "Photos view" not in window.statusBar().currentMessage()

    qtbot.mouseClick(link, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.folders
    assert window.folders.problems.isVisible() and window.folders.problems.table.hasFocus()


def test_add_folder_opens_beside_the_last_folder_and_lists_the_new_one(
        qtbot, open_window, sample_photos, tmp_path, monkeypatch):
    window, broken = window_with_two_folders(qtbot, open_window, sample_photos, tmp_path)
    more = tmp_path / "more"
    save(photo(9), more / "new.jpg")
    started = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        lambda parent, title, start: (started.append(start), str(more))[1])
    qtbot.mouseClick(window.folders.add_button, Qt.MouseButton.LeftButton)
    wait_for_scan(qtbot, window)
    assert started == [os.path.dirname(broken)]
    qtbot.waitUntil(lambda: rows(window.folders).get(os.path.realpath(more)) == ("1", "—", ""), timeout=10000)


def test_removing_the_last_folder_brings_back_the_call_to_add_one(qtbot, open_window, sample_photos):
    window = open_window(model="phash")
    window.add_folder(str(sample_photos))
    wait_for_scan(qtbot, window)
    window.nav.setCurrentRow(PAGES.index("Folders"))
    qtbot.waitUntil(lambda: window.folders.table.rowCount() == 1, timeout=10000)
    when_modal(lambda box: box.button(QMessageBox.StandardButton.Yes).click())
    qtbot.mouseClick(window.folders.remove_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.welcome, timeout=10000)
    assert window.library.folders() == [] and not window.nav.isEnabled()
    assert len(os.listdir(sample_photos)) == 4   # three photos and the copies folder, untouched
