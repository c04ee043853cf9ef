"""The review screen's decisions ("Not duplicates", "Keep all", the Decisions dialog), the
unit badge on a photo card, and the clean-up's metadata merge."""
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from helpers import photo, save

from .conftest import wait_for_scan, when_modal


def _review(qtbot, open_window, folder, groups=1):
    window = open_window(model="phash")
    window.add_folder(str(folder))
    wait_for_scan(qtbot, window)
    view = window.duplicates
    qtbot.waitUntil(lambda: len(view.pairs) == groups and view.cards and window.runner.idle, timeout=10000)
    return window, view


def test_not_duplicates_hides_the_group_and_forgetting_it_in_decisions_brings_it_back(qtbot, open_window,
                                                                                      sample_photos):
    window, view = _review(qtbot, open_window, sample_photos, groups=2)
    assert view.different_button.isEnabled()
    assert "different photos" in view.different_button.toolTip()
    assert "keep every one" in view.keep_all_button.toolTip()
    row = next(i for i, (g, _) in enumerate(view.pairs) if len({f.content_hash for f in g.files}) > 1)
    view.groups.setCurrentItem(view.groups.topLevelItem(row))
    paths = sorted(f.path for f in view.pairs[row][0].files)
    qtbot.mouseClick(view.different_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(view.pairs) == 1 and window.runner.idle, timeout=10000)
    assert all(sorted(f.path for f in g.files) != paths for g, _ in view.pairs)
    [decision] = window.library.decisions.all()
    assert decision.kind == "different" and sorted(decision.photos) == paths
    assert "Remembered: not duplicates (2 photos)" in window.statusBar().currentMessage()

    window.decisions_action.trigger()
    dialog = QApplication.activeModalWidget()
    assert dialog.objectName() == "decisionsDialog"
    qtbot.waitUntil(lambda: dialog.list.topLevelItemCount() == 1, timeout=10000)
    assert dialog.list.topLevelItem(0).text(0) == "Not duplicates"
    dialog.list.topLevelItem(0).setSelected(True)
    qtbot.mouseClick(dialog.forget_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(view.pairs) == 2 and dialog.list.topLevelItemCount() == 0 and window.runner.idle,
                    timeout=10000)
    assert not window.library.decisions.all()
    dialog.reject()


def test_keep_all_stores_a_keep_all_decision_and_hides_the_group(qtbot, open_window, sample_photos):
    window, view = _review(qtbot, open_window, sample_photos, groups=2)
    view.groups.setCurrentItem(view.groups.topLevelItem(0))
    qtbot.mouseClick(view.keep_all_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(view.pairs) == 1 and window.runner.idle, timeout=10000)
    assert [d.kind for d in window.library.decisions.all()] == ["keep_all"]


def test_a_card_for_a_photo_with_an_xmp_sidecar_shows_that_they_move_together(qtbot, open_window, tmp_path):
    folder = tmp_path / "photos"
    save(photo(7, size=(480, 360)), folder / "beach.png")
    save(photo(7, size=(480, 360)).resize((240, 180)), folder / "copy" / "beach small.jpg", quality=85)
    (folder / "beach.png.xmp").write_text("<x:xmpmeta xmlns:x='adobe:ns:meta/'/>", encoding="utf-8")
    _window, view = _review(qtbot, open_window, folder)
    card = next(c for c in view.cards if c.file.path.endswith("beach.png"))
    assert "+ sidecar" in card.unit.text() and "together" in card.unit.text()
    assert "beach.png.xmp" in card.unit.toolTip()
    other = next(c for c in view.cards if c is not card)
    assert other.unit.text() == "" and other.unit.isHidden()


def test_the_merge_checkbox_plans_a_sidecar_merge_and_the_confirmation_lists_what_is_copied(qtbot, open_window,
                                                                                          tmp_path):
    from ..engine.test_metadata_merge import EIFFEL, exif

    folder = tmp_path / "photos"
    save(photo(3, size=(480, 360)), folder / "big.jpg", quality=92)
    small = folder / "phone" / "small.jpg"
    small.parent.mkdir(parents=True)
    photo(3, size=(480, 360)).resize((240, 180)).save(small, "JPEG", quality=85,
                                                        exif=exif(taken_at="2019:07:14 10:31:05", gps=EIFFEL))
    window, view = _review(qtbot, open_window, folder)
    assert [f for f, m in view.marks.items() if m == "remove"]
    seen = {}

    def choose(dialog):
        assert dialog.objectName() == "cleanDialog"
        assert not dialog.in_file.isEnabled()
        dialog.merge_box.setChecked(True)
        assert dialog.in_file.isEnabled() and dialog.merge() == "sidecar"
        when_modal(confirm)
        dialog.accept()

    def confirm(box):
        seen["text"] = box.text()
        box.button(QMessageBox.StandardButton.Cancel).click()

    when_modal(choose)
    view.clean_up()
    qtbot.waitUntil(lambda: "text" in seen and window.runner.idle, timeout=20000)
    assert "First copied to the kept photos" in seen["text"]
    assert "big.jpg (into its XMP sidecar)" in seen["text"]
    assert "capture date 2019-07-14 10:31:05 from small.jpg" in seen["text"]
    assert small.exists() and not (folder / "big.jpg.xmp").exists()   # cancelled: nothing ran


def test_merging_is_not_offered_for_hardlinks(qtbot):
    from lookalike.desktop.dialogs.clean_dialog import CleanDialog

    dialog = CleanDialog(2)
    qtbot.addWidget(dialog)
    dialog.merge_box.setChecked(True)
    dialog.in_file.setChecked(True)
    assert dialog.merge() == "file"
    dialog.hardlink.setChecked(True)
    assert not dialog.merge_box.isEnabled() and dialog.merge() is None


def test_unit_text_names_a_raw_partner_and_a_live_video(tmp_path):
    from types import SimpleNamespace

    from lookalike.desktop.widgets.photo_card import unit_text

    file = SimpleNamespace(companions=(SimpleNamespace(path="/p/IMG_1.NEF", role="partner", bytes=2000, format="RAW"),
                                       SimpleNamespace(path="/p/IMG_1.MOV", role="live", bytes=3000, format=None)))
    badge, tip = unit_text(file)
    assert badge.startswith("+ RAW, + Live Photo video") and "together" in badge
    assert "IMG_1.NEF" in tip and "IMG_1.MOV" in tip
    assert unit_text(SimpleNamespace(companions=())) == ("", "")


def test_a_burst_series_is_named_so_the_bursts_preset_keeps_its_best_frame_and_enter_accepts_it(
        qtbot, open_window, tmp_path):
    from PIL import ImageFilter

    from ..engine.test_metadata_merge import exif
    from ..engine.test_series import scene

    folder = tmp_path / "photos"
    folder.mkdir()
    big = scene((1000, 750), seed=5)
    for i, (dx, blur) in enumerate(((0, 0), (20, 2.5), (40, 0))):
        frame = big.crop((dx, 0, dx + 900, 675))
        frame = frame.filter(ImageFilter.GaussianBlur(blur)) if blur else frame
        frame.save(folder / f"IMG_{i}.jpg", quality=92, exif=exif(taken_at=f"2024:05:01 10:00:0{i}"))
    window, view = _review(qtbot, open_window, folder)
    group, _ = view.pairs[0]
    assert group.series and "burst series" in view.detail_title.text()
    assert view.groups.topLevelItem(0).data(0, Qt.ItemDataRole.AccessibleTextRole).count("burst series") == 1
    view.preset.setCurrentText("bursts")
    qtbot.waitUntil(lambda: window.runner.idle and view.cards and "burst series of 3" in "".join(
        c.keeper_reason for c in view.cards), timeout=10000)
    removing = sorted(f.path for f in view.pairs[0][1].remove)
    assert len(removing) == 2 and str(folder / "IMG_1.jpg") in removing
    assert not window.library.marks()                     # proposed, not yet the user's
    qtbot.keyClick(view.cards[0], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.runner.idle and bool(window.library.marks()), timeout=10000)
    marks = window.library.marks()
    removed = {window.library.catalog.file_by_path(p).id for p in removing}
    assert {fid for fid, m in marks.items() if m == "remove"} == removed and len(marks) == 3
    assert "Accepted: keep 1, remove 2" in window.statusBar().currentMessage()
