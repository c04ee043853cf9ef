"""Small things a new user hit (issue 16): each test checks what the user sees or can do."""
import os

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from lookalike.desktop.app import make_application
from lookalike.engine import Library

from .conftest import scanned_review, wait_for_scan


def test_before_any_scan_duplicates_say_not_scanned_yet_in_app_words_and_scan_now_finds_the_groups(
        qtbot, open_window, sample_photos):
    window = open_window()
    window.library.add_folder(str(sample_photos))   # added, never scanned
    view = window.duplicates
    view.refresh()
    qtbot.waitUntil(lambda: view.summary.text().startswith("Not scanned yet"), timeout=20000)
    assert not view.scan_prompt.isHidden()
    assert "lookalike" not in view.summary.text() and "`" not in view.summary.text()
    assert "No duplicates found" not in view.summary.text()
    with qtbot.waitSignal(window.scan_finished, timeout=60000):
        qtbot.mouseClick(view.scan_prompt.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "groups" in view.summary.text(), timeout=30000)
    assert view.scan_prompt.isHidden()


def test_preferences_name_a_missing_model_as_not_on_this_computer_and_say_where_to_get_it(qtbot, tmp_path, hf_home):
    from lookalike.desktop.dialogs.preferences_dialog import PreferencesDialog

    make_application(["lookalike-test"])
    library = Library.open(tmp_path / "lib", model_dir=str(tmp_path / "no models"))
    try:
        missing = [m for m in library.models() if not m.present and m.name != "clip"]
        present = [m for m in library.models() if m.present]
        assert missing and present
        dialog = PreferencesDialog(library, devices=["cpu"])
        qtbot.addWidget(dialog)
        texts = {dialog.model.itemData(i): dialog.model.itemText(i) for i in range(dialog.model.count())}
        for info in missing:
            if info.name in texts:
                assert "not on this computer" in texts[info.name]
        for info in present:
            if info.name in texts:
                assert "not on this computer" not in texts[info.name]
        row = next(i for i in range(dialog.model.count()) if dialog.model.itemData(i) == missing[0].name)
        dialog.model.setCurrentIndex(row)
        assert not dialog.model_note.isHidden()
        assert dialog.model_note.text().startswith(f"{missing[0].name} is not on this computer")
    finally:
        library.close()


def test_pause_watching_is_off_with_a_reason_until_a_folder_is_added_and_then_says_resume_when_paused(
        qtbot, open_window, sample_photos):
    window = open_window()
    action = window.pause_action
    assert not action.isEnabled()
    assert "add a photo folder" in action.toolTip()
    window.add_folder(str(sample_photos))
    wait_for_scan(qtbot, window)
    assert action.isEnabled() and action.text() == "Pause watching"
    action.trigger()
    assert action.text() == "Resume watching"
    assert window.watch_label.text() == "Watching paused"
    action.trigger()
    assert action.text() == "Pause watching"
    assert window.watch_label.text() == "Watching folders"


def test_after_a_restart_the_sidebar_highlights_the_page_shown(qtbot, open_window, sample_photos, tmp_path):
    library = Library.open(tmp_path / "lib")
    library.add_folder(str(sample_photos))   # a library used before: the window opens on a page
    library.close()
    window = open_window()
    assert window.pages.currentWidget() is not window.welcome
    assert window.nav.currentRow() == window.pages.currentIndex()
    assert window.nav.currentItem().isSelected()
    assert window.nav.currentItem().text() == "Duplicates"


def test_the_time_left_waits_for_a_stable_rate_and_then_follows_the_recent_one(qtbot):
    from PySide6.QtWidgets import QWidget

    from lookalike.desktop.widgets.job_status import JobStatus
    from lookalike.desktop.worker import JobRunner
    from lookalike.engine import Progress

    make_application(["lookalike-test"])
    window = QWidget()
    qtbot.addWidget(window)
    status = JobStatus(JobRunner(window))
    status._started("Indexing")
    # A 2.9 s scan of 1,000 photos whose first photo waited 1 s for the model to load.
    shown = []
    for done, elapsed in [(1, 1.0), (20, 1.05), (60, 1.2), (200, 1.6), (400, 2.0), (600, 2.3), (800, 2.6)]:
        status._progress("Indexing", Progress("embedding", done, 1000, elapsed))
        shown.append(status.label.text())
    assert not any("left" in text for text in shown[:4]), shown   # under 2 s: no guess at all
    assert shown[-1].endswith("s left"), shown
    left = int(shown[-1].split(" · ")[-1].split("s left")[0])
    assert left <= 1, shown   # about 0.3 s of 200 photos remain, not 53 s


def test_choosing_a_photo_to_compare_opens_in_the_library_folder_then_where_the_user_last_went(
        qtbot, open_window, sample_photos, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    window = open_window()
    window.library.add_folder(str(sample_photos))
    opened_in = []

    def choose(parent, title, start, *_):
        opened_in.append(start)
        return str(sample_photos / "copies" / "shot1 copy.png"), ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(choose))
    window.compare._choose(0)
    window.compare._choose(1)
    assert opened_in[0] == str(sample_photos)
    assert opened_in[1] == str(sample_photos / "copies")


def test_an_image_search_clears_the_words_in_the_box_and_says_whose_look_alikes_it_shows(
        qtbot, open_window, sample_photos):
    from lookalike.desktop.main_window import PAGES

    window = open_window()
    window.add_folder(str(sample_photos))
    wait_for_scan(qtbot, window)
    window.nav.setCurrentRow(PAGES.index("Search"))
    window.search.field.setText("cat")
    window.find_similar(str(sample_photos / "shot1.png"))
    assert window.search.field.text() == ""
    qtbot.waitUntil(lambda: window.search.status.text().startswith("Photos like shot1.png"), timeout=20000)


def test_find_similar_leaves_out_results_below_the_similar_threshold_and_show_all_brings_them_back(
        qtbot, open_window, sample_photos, monkeypatch):
    window = open_window()
    window.add_folder(str(sample_photos))
    wait_for_scan(qtbot, window)
    # Only the byte-identical copy is alike beyond chance at this threshold.
    monkeypatch.setattr(window.library, "thresholds", lambda model: {"near": 0.99, "similar": 0.95})
    window.find_similar(str(sample_photos / "shot1.png"))
    view = window.search
    qtbot.waitUntil(lambda: view.status.text().startswith("Photos like shot1.png"), timeout=20000)
    assert [p.path.rsplit("/", 1)[-1] for p in view.grid.grid_model.photos] == ["shot1 copy.png"]
    assert "3 more below 0.95 hidden" in view.status.text() and ": 1 result (" in view.status.text()
    assert not view.show_all.isHidden()
    qtbot.mouseClick(view.show_all, Qt.MouseButton.LeftButton)
    assert len(view.grid.grid_model.photos) == 4
    assert view.show_all.isHidden()


def test_a_text_search_that_cannot_run_clears_the_photo_searchs_results_and_its_show_all(
        qtbot, open_window, sample_photos, monkeypatch, tmp_path):
    window = open_window(model_dir_=str(tmp_path / "no models"))   # SSCD, and no CLIP anywhere
    window.add_folder(str(sample_photos))
    wait_for_scan(qtbot, window)
    monkeypatch.setattr(window.library, "thresholds", lambda model: {"near": 0.99, "similar": 0.95})
    window.find_similar(str(sample_photos / "shot1.png"))
    view = window.search
    qtbot.waitUntil(lambda: not view.show_all.isHidden(), timeout=20000)
    view.field.setText("fog over a field")
    view.search_text()
    qtbot.waitUntil(lambda: "needs the" in view.status.text(), timeout=20000)
    assert view.show_all.isHidden() and view.grid.grid_model.rowCount() == 0   # the screenshot had both


def test_the_presets_editor_shows_the_whole_formats_rule_within_the_list(qtbot, tmp_path):
    from PySide6.QtCore import QRect
    from PySide6.QtWidgets import QApplication

    from lookalike.desktop.dialogs.preferences_dialog import PreferencesDialog

    make_application(["lookalike-test"])
    library = Library.open(tmp_path / "lib")
    try:
        dialog = PreferencesDialog(library, devices=["cpu"])
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.tabs.setCurrentIndex([dialog.tabs.tabText(i) for i in range(dialog.tabs.count())].index("Keep-best presets"))
        dialog.preset_list.setCurrentRow(list(dialog.presets).index("default"))
        QApplication.processEvents()
        rules = dialog.rule_list
        formats = next(rules.item(i) for i in range(rules.count()) if rules.item(i).text().startswith("formats"))
        rect = rules.visualItemRect(formats)
        needed = rules.fontMetrics().boundingRect(QRect(0, 0, rect.width() - 8, 10000),
                                                  int(Qt.TextFlag.TextWordWrap), formats.text())
        assert rect.right() <= rules.viewport().width()   # no part beyond the visible list
        assert needed.height() <= rect.height(), (needed, rect)   # every wrapped line has room
    finally:
        library.close()


def test_window_settings_kept_in_desktop_ini_by_an_earlier_version_move_to_window_ini_once(
        qtbot, open_window, sample_photos, tmp_path):
    from PySide6.QtCore import QSettings, QSize

    library = Library.open(tmp_path / "lib")
    library.add_folder(str(sample_photos))
    old = QSettings(str(library.path / "desktop.ini"), QSettings.Format.IniFormat)
    old.setValue("size", QSize(1300, 850))
    old.sync()
    library.close()
    window = open_window()
    assert window.size() == QSize(1300, 850)   # the earlier version's size is kept
    assert (window.library.path / "window.ini").is_file()
    assert not (window.library.path / "desktop.ini").exists()   # Explorer treats that name specially
    window.resize(1320, 860)
    window.close()
    assert QSettings(str(window.library.path / "window.ini"), QSettings.Format.IniFormat).value("size") == QSize(1320, 860)


def _card(mark):
    from types import SimpleNamespace

    from lookalike.desktop.widgets.photo_card import PhotoCard

    file = SimpleNamespace(file_id=1, path="/photos/beach.jpg", width=4000, height=3000, bytes=2_000_000,
                           format="JPEG", taken_at="2024-06-01T10:00:00", similarity=0.987, match="near",
                           reference=False, companions=())
    return PhotoCard(file, mark)


def _ring_pixels(widget, path=None):
    from PySide6.QtGui import QColor

    from lookalike.desktop.widgets.photo_card import FOCUS_RING

    image = widget.grab().toImage()
    if path:
        image.save(path)
    ring = QColor(FOCUS_RING)
    return sum(1 for x in range(image.width()) for y in (5, 6, image.height() // 2) if
               abs(image.pixelColor(x, y).red() - ring.red()) + abs(image.pixelColor(x, y).green() - ring.green())
               + abs(image.pixelColor(x, y).blue() - ring.blue()) < 60)


def test_a_card_with_keyboard_focus_has_a_visible_ring_and_its_button_names_the_action_not_the_state(qtbot):
    from PySide6.QtWidgets import QHBoxLayout, QWidget

    from lookalike.desktop.app import make_application as make

    make(["lookalike-test"])
    holder = QWidget()
    qtbot.addWidget(holder)
    row = QHBoxLayout(holder)
    kept, other = _card("keep"), _card("keep")
    row.addWidget(kept)
    row.addWidget(other)
    holder.show()
    holder.activateWindow()
    other.setFocus()
    qtbot.waitUntil(other.hasFocus, timeout=5000)
    unfocused = _ring_pixels(kept)
    kept.setFocus()
    qtbot.waitUntil(kept.hasFocus, timeout=5000)
    assert _ring_pixels(kept, "/tmp/card_focused.png") > unfocused + 50
    assert kept.button.text() == "Mark for removal" and kept.state.text() == "✓ Kept"
    qtbot.mouseClick(kept.button, Qt.MouseButton.LeftButton)
    assert kept.mark == "remove"
    assert kept.button.text() == "Keep" and kept.state.text() == "✕ Marked for removal"


def test_find_similar_before_any_scan_says_not_scanned_yet_in_app_words(qtbot, open_window, sample_photos):
    window = open_window()
    window.library.add_folder(str(sample_photos))   # added, never scanned
    window.search.search_image(str(sample_photos / "shot1.png"))
    qtbot.waitUntil(lambda: window.search.status.text().startswith("Not scanned yet"), timeout=20000)
    assert "lookalike" not in window.search.status.text() and "`" not in window.search.status.text()


def test_the_clean_up_folder_choice_opens_in_the_library_folder(qtbot, tmp_path, sample_photos, monkeypatch):
    from PySide6.QtWidgets import QFileDialog, QPushButton

    from lookalike.desktop.dialogs.clean_dialog import CleanDialog

    make_application(["lookalike-test"])
    library = Library.open(tmp_path / "lib")
    try:
        library.add_folder(str(sample_photos))
        opened_in = []
        monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                            staticmethod(lambda parent, title, start="": opened_in.append(start) or ""))
        dialog = CleanDialog(2, library=library)
        qtbot.addWidget(dialog)
        next(b for b in dialog.findChildren(QPushButton) if b.text() == "Choose…").click()
        assert opened_in == [str(sample_photos)]
    finally:
        library.close()


# Seen in the real-window walk (tests/walk): ---------------------------------------------------
def test_the_duplicates_line_never_ends_in_a_photos_path_and_scan_now_hides_while_it_runs(
        qtbot, open_window, sample_photos):
    window = open_window("phash")
    window.library.add_folder(str(sample_photos))   # added, never scanned: "Not scanned yet"
    view = window.duplicates
    view.refresh()
    qtbot.waitUntil(lambda: not view.scan_prompt.isHidden(), timeout=20000)
    window.request_scan()
    assert view.scan_prompt.isHidden()   # the scan it offered is under way
    wait_for_scan(qtbot, window)
    qtbot.waitUntil(lambda: "groups" in view.summary.text(), timeout=30000)
    assert str(sample_photos) not in view.summary.text() and ".png" not in view.summary.text()
    assert view.scan_prompt.isHidden()


def test_a_long_group_heading_is_cut_with_an_ellipsis_and_whole_in_its_tooltip(qtbot):
    from lookalike.desktop.widgets.elided_label import ElidedLabel

    make_application(["lookalike-test"])
    label = ElidedLabel("2 photos · near · keep /a/very/long/folder/name/that/goes/on/IMG_0001.jpg")
    qtbot.addWidget(label)
    label.resize(200, 30)
    label.show()
    shown = QLabel.text(label)
    assert shown.startswith("2 photos · near") and shown.endswith("…")   # the walk saw "2 p…val"
    assert label.fontMetrics().horizontalAdvance(shown) <= 200
    assert label.text() == label.toolTip() == label.accessibleName() and "IMG_0001.jpg" in label.text()
    label.resize(2000, 30)
    assert QLabel.text(label) == label.text()


def test_beside_the_table_the_cards_stack_and_the_folder_column_gets_the_room(qtbot, open_window, sample_photos):
    from PySide6.QtWidgets import QBoxLayout

    from lookalike.desktop.widgets.results_table import DATE, FOLDER

    window = open_window("phash")
    window.resize(1400, 900)
    view = scanned_review(qtbot, window, sample_photos)
    view.tools.show_table(True)
    qtbot.wait(100)
    table = view.tools.table.table
    assert view.strip_layout.direction() == QBoxLayout.Direction.TopToBottom
    assert table.columnWidth(FOLDER) >= 150   # "/tm…alk" in the walk, with 674 px of fixed columns
    assert table.columnWidth(DATE) < 100      # no capture dates: the column is its heading's width
    from PySide6.QtWidgets import QStyleOptionViewItem

    index = table.model().index(0, FOLDER)
    option = QStyleOptionViewItem()
    table.itemDelegateForColumn(FOLDER).initStyleOption(option, index)
    shown = table.fontMetrics().elidedText(index.data(), option.textElideMode, 80)
    assert shown.endswith(os.path.basename(index.data()))   # a narrow column keeps the folder's last name
    cards = [c for c in view.cards if c.isVisible()]
    assert cards and all(c.geometry().right() <= view.strip.width() for c in cards)   # none cut off
    view.tools.show_table(False)
    assert view.strip_layout.direction() == QBoxLayout.Direction.LeftToRight


def test_compare_from_a_group_shows_each_of_its_photos_once_the_keeper_as_a(qtbot, open_window, sample_photos):
    window = open_window("phash")
    view = scanned_review(qtbot, window, sample_photos)
    for row, (group, proposal) in enumerate(view.pairs):
        view.groups.setCurrentItem(view.groups.topLevelItem(row))
        # The keeper's card says why it is kept (it did not when the keeper was an equal copy).
        assert [c.badge.text().startswith("★") for c in view.cards] == \
            [f.file_id == proposal.keeper.file_id for f in group.files]
        view.compare_group()
        paths = window.compare.paths
        # The screenshot showed a group of 3 as 4 photos: the keeper as A and again as photo 3.
        assert paths[0] == proposal.keeper.path and sorted(paths) == sorted(f.path for f in group.files)


def test_moving_the_threshold_by_keyboard_keeps_the_keyboard_on_the_slider(qtbot, open_window, sample_photos):
    from PySide6.QtTest import QTest

    window = open_window("phash")
    view = scanned_review(qtbot, window, sample_photos)
    window.activateWindow()
    view.slider.setFocus()
    qtbot.waitUntil(view.slider.hasFocus, timeout=5000)
    start = view.slider.value()
    for step in (1, 2):   # the walk: after one step and its regroup, the next Right moved a card
        QTest.keyClick(view.slider, Qt.Key.Key_Right)
        qtbot.wait(400)   # the regroup's debounce, then the groups come back
        qtbot.waitUntil(lambda: window.runner.idle and "groups" in view.summary.text(), timeout=20000)
        assert view.slider.hasFocus() and view.slider.value() == start + step
