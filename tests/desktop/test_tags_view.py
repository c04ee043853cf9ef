"""The Tags view as a person uses it: chips with counts, teaching a tag from picked photos,
one-click corrections, phrase tags, deleting, and sorting into folders with Undo."""
import os

from PySide6.QtCore import QItemSelectionModel, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from lookalike.desktop.dialogs.organise_dialog import OrganiseDialog
from lookalike.desktop.dialogs.tag_dialog import PhraseTagDialog, TeachTagDialog
from lookalike.desktop.main_window import PAGES
from helpers import photo, save, tree_hashes

from .conftest import wait_for_scan

STARTER_TAGS = {"screenshots", "documents", "receipts", "whiteboards", "food", "pets", "people", "landscapes"}


def when_dialog(kind, handler, timeout_ms=30000):
    """Answers the next modal dialog of `kind` (a class, or a QMessageBox's object name)."""
    waited = [0]

    def matches(dialog):
        return dialog.objectName() == kind if isinstance(kind, str) else isinstance(dialog, kind)

    def poll():
        dialog = QApplication.activeModalWidget()
        if dialog is not None and matches(dialog):
            handler(dialog)
            return
        waited[0] += 50
        if waited[0] < timeout_ms:
            QTimer.singleShot(50, poll)

    QTimer.singleShot(50, poll)


def twelve_photos(tmp_path):
    folder = tmp_path / "photos"
    for i in range(12):
        save(photo(100 + i, size=(240, 180)), folder / f"shot{i}.png")
    return folder


def scanned_window(qtbot, open_window, folder, **kw):
    window = open_window(model="phash", **kw)
    window.add_folder(str(folder))
    wait_for_scan(qtbot, window)
    window.nav.setCurrentRow(PAGES.index("Tags"))
    qtbot.waitUntil(lambda: bool(window.tags.chips.chips) and window.runner.idle, timeout=20000)
    return window


def pick(grid, names):
    """Selects the grid's photos with these file names, as Ctrl-clicks would."""
    for row, p in enumerate(grid.grid_model.photos):
        if os.path.basename(p.path) in names:
            grid.selectionModel().select(grid.grid_model.index(row), QItemSelectionModel.SelectionFlag.Select)


def shown_names(view):
    return [os.path.basename(p.path) for p in view.grid.grid_model.photos]


def teach_cats(qtbot, window, folder):
    view = window.tags

    def answer(dialog):
        dialog.name.setText("cats")
        pick(dialog.grid, {"shot0.png", "shot1.png", "shot2.png"})
        assert dialog.teach_button.isEnabled()
        dialog.teach_button.click()

    when_dialog(TeachTagDialog, answer)
    view.teach_button.click()
    qtbot.waitUntil(lambda: view.current == "cats" and "cats · " in view.chips.chips.get("cats").text()
                    if "cats" in view.chips.chips else False, timeout=20000)
    qtbot.waitUntil(lambda: window.runner.idle and bool(view.grid.grid_model.photos), timeout=20000)
    return view


def test_after_a_scan_the_tags_view_shows_a_chip_with_a_count_for_each_starter_tag(qtbot, open_window, sample_photos):
    window = scanned_window(qtbot, open_window, sample_photos)
    chips = window.tags.chips.chips
    assert set(chips) == STARTER_TAGS
    for name, chip in chips.items():   # the tiny CLIP scores them: a count on every chip
        label, count = chip.text().split(" · ")
        assert label == name and count.isdigit(), chip.text()
        assert "phrases" in chip.toolTip() and "cut-off" in chip.toolTip()


def test_teaching_a_tag_from_three_picked_photos_shows_its_quality_and_its_photos(qtbot, open_window, tmp_path):
    folder = twelve_photos(tmp_path)
    window = scanned_window(qtbot, open_window, folder)
    view = teach_cats(qtbot, window, folder)
    assert view.chips.current() == "cats"
    assert "cross-validation" in view.info.text() and "held out" in view.info.text() and "3 example photos" in view.info.text()
    assert "Taught “cats” from 3 photos" in view.note.text()
    shown = shown_names(view)
    assert {"shot0.png", "shot1.png", "shot2.png"} <= set(shown)
    count = int(view.chips.chips["cats"].text().split(" · ")[1])
    assert count == len(shown)
    first = view.grid.grid_model.index(0).data()
    assert first.startswith("✓ 0.") and first.endswith(".png")   # score, and "you said so"


def test_not_tag_on_a_selected_photo_takes_it_out_of_the_tags_photos(qtbot, open_window, tmp_path):
    folder = twelve_photos(tmp_path)
    window = scanned_window(qtbot, open_window, folder)
    view = teach_cats(qtbot, window, folder)
    assert not view.not_button.isEnabled() and "Select photos" in view.correct_hint.text()
    wrong = next(n for n in shown_names(view) if n not in {"shot0.png", "shot1.png", "shot2.png"})
    pick(view.grid, {wrong})
    assert view.not_button.isEnabled() and view.not_button.text() == "✕ Not cats"
    view.not_button.click()
    qtbot.waitUntil(lambda: wrong not in shown_names(view) and window.runner.idle, timeout=20000)
    # The tag retrains on the correction, so other photos may come or go; the chip follows.
    now = len(shown_names(view))
    assert view.chips.chips["cats"].text() == f"cats · {now}"
    assert f"1 photo is not cats. The tag now has {now} photos" in view.note.text()
    assert wrong not in shown_names(view)


def test_sorting_into_folders_asks_first_and_undo_leaves_the_photos_byte_identical(qtbot, open_window, tmp_path):
    folder = twelve_photos(tmp_path)
    window = scanned_window(qtbot, open_window, folder)
    view = teach_cats(qtbot, window, folder)
    before = tree_hashes(folder)
    tagged = len(shown_names(view))
    asked = []

    def choose(dialog):
        assert dialog.chosen_tags() == ["cats"]          # the selected tag, ticked
        assert dialog.destination() == os.path.join(str(folder), "Sorted")
        when_dialog("confirmOrganise", confirm)
        dialog.continue_button.click()

    def confirm(box):
        asked.append(box.text())
        assert f"in {folder / 'Sorted'}" in box.text()
        assert "move " in box.detailedText()
        box.button(QMessageBox.StandardButton.Yes).click()

    when_dialog(OrganiseDialog, choose)
    view.sort_button.click()
    qtbot.waitUntil(lambda: view.undo_bar.isVisible() and "Sorted" in view.undo_bar.text.text(), timeout=30000)
    assert asked and f"Move {tagged} photos into tag folders" in asked[0]
    assert f"Sorted {tagged} photos into tag folders" in view.undo_bar.text.text()
    assert len(os.listdir(folder / "Sorted" / "cats")) == tagged
    qtbot.waitUntil(lambda: window.runner.idle, timeout=30000)

    view.undo_bar.button.click()
    qtbot.waitUntil(lambda: "Put back" in view.undo_bar.text.text(), timeout=30000)
    assert f"Put back {tagged} photos" in view.undo_bar.text.text() and not view.undo_bar.button.isVisible()
    assert tree_hashes(folder) == before
    qtbot.waitUntil(lambda: window.runner.idle, timeout=30000)


def test_a_phrase_tag_without_clip_says_why_instead_of_a_grid_and_offers_its_download(qtbot, open_window, tmp_path):
    folder = twelve_photos(tmp_path)
    window = scanned_window(qtbot, open_window, folder, model_dir_=str(tmp_path / "no models"))
    view = window.tags
    assert all(chip.text() == f"{name} · not scored" for name, chip in view.chips.chips.items())

    def answer(dialog):
        dialog.name.setText("sunsets")
        assert not dialog.create_button.isEnabled() and "phrase" in dialog.reason.text()
        dialog.phrases.setPlainText("a sunset, the sun going down\nan orange sky")
        assert dialog.phrase_list() == ["a sunset", "the sun going down", "an orange sky"]
        dialog.create_button.click()

    when_dialog(PhraseTagDialog, answer)
    view.phrase_button.click()
    qtbot.waitUntil(lambda: view.current == "sunsets" and window.runner.idle, timeout=20000)
    assert view.chips.chips["sunsets"].text() == "sunsets · not scored"
    assert view.problem.isVisible() and not view.grid.isVisible()
    text = view.problem.text()
    assert text.startswith("“sunsets” cannot be scored yet: phrase tags need CLIP vectors")
    assert "Teach a new tag" in text and "Traceback" not in text
    assert not view.not_button.isVisible() and view.delete_button.isVisible()
    assert "“a sunset”" in view.info.text()
    qtbot.waitUntil(lambda: view.fix.button.isVisible(), timeout=10000)
    assert view.fix.button.text().startswith("Download CLIP (") and "MB)" in view.fix.button.text()


def test_the_teach_button_says_why_it_is_disabled_until_a_name_and_three_photos(qtbot, open_window, tmp_path):
    folder = twelve_photos(tmp_path)
    window = scanned_window(qtbot, open_window, folder)
    photos = window.library.photos()
    dialog = TeachTagDialog(photos, window.loader, {"screenshots": "phrase"})
    qtbot.addWidget(dialog)
    assert not dialog.teach_button.isEnabled() and dialog.reason.text() == "Name the tag to teach it."
    dialog.name.setText("cats")
    pick(dialog.grid, {"shot0.png", "shot1.png"})
    assert not dialog.teach_button.isEnabled() and "(2 picked)" in dialog.reason.text()
    pick(dialog.grid, {"shot2.png"})
    assert dialog.teach_button.isEnabled() and "from 3 example photos" in dialog.reason.text()
    dialog.name.setText("screenshots")
    assert not dialog.teach_button.isEnabled() and "phrase tag" in dialog.reason.text()


def test_deleting_a_tag_asks_first_says_photos_are_untouched_and_removes_its_chip(qtbot, open_window, tmp_path):
    folder = twelve_photos(tmp_path)
    window = scanned_window(qtbot, open_window, folder)
    before = tree_hashes(folder)
    view = window.tags
    view.chips.select("food")
    asked = []

    def answer(box):
        asked.append(box.text())
        box.button(QMessageBox.StandardButton.Yes).click()

    when_dialog(QMessageBox, answer)
    view.delete_button.click()
    qtbot.waitUntil(lambda: "food" not in view.chips.chips and window.runner.idle, timeout=20000)
    assert "Your photos are untouched" in asked[0]
    assert tree_hashes(folder) == before and "Deleted the tag “food”" in view.note.text()


def test_near_misses_show_below_the_cut_off_and_is_tag_brings_one_into_the_tag(qtbot, open_window, tmp_path):
    folder = twelve_photos(tmp_path)
    window = scanned_window(qtbot, open_window, folder)
    view = teach_cats(qtbot, window, folder)
    tagged = set(shown_names(view))
    view.near.setChecked(True)
    qtbot.waitUntil(lambda: len(shown_names(view)) > len(tagged) and window.runner.idle, timeout=20000)
    model = view.grid.grid_model
    below = [row for row, p in enumerate(model.photos) if os.path.basename(p.path) not in tagged]
    assert all(model.index(row).data().startswith("· ") for row in below)
    assert "Below the cut-off" in model.index(below[0]).data(3)   # the tooltip says what "·" means
    missed = os.path.basename(model.photos[below[0]].path)
    pick(view.grid, {missed})
    view.is_button.click()
    qtbot.waitUntil(lambda: "1 photo is cats" in view.note.text() and window.runner.idle, timeout=20000)
    view.near.setChecked(False)
    qtbot.waitUntil(lambda: missed in shown_names(view) and window.runner.idle, timeout=20000)
    row = shown_names(view).index(missed)
    assert view.grid.grid_model.index(row).data().startswith("✓ ")
