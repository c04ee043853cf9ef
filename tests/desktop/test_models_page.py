"""The model manager as a new user meets it: what each model is, Download as the consent, progress
with Cancel and Resume, Remove after asking, and the missing-model dialog's ways on."""
import dataclasses
import threading
import time
from types import SimpleNamespace

from PySide6.QtWidgets import QCheckBox, QLabel, QMessageBox, QPushButton, QWidget

from lookalike.desktop.app import make_application
from lookalike.desktop.dialogs.missing_model_dialog import MissingModelDialog
from lookalike.desktop.model_downloads import ModelDownloads
from lookalike.desktop.widgets.model_manager import ModelManager
from lookalike.desktop.worker import JobRunner
from lookalike.engine.jobs import Reporter
from lookalike.engine.results import ModelInfo

from .conftest import wait_for_scan, when_modal

MB = 1_000_000


def model(name, family, present=False, download=None, disk=None, can_remove=None, hub_id=None):
    return ModelInfo(name, family, hub_id, present, f"/models/{name}" if present else "not in the model folder",
                     f"{name} description", 0, purpose=f"{name} purpose", licence="MIT",
                     origin=f"https://huggingface.co/{hub_id or name}", download_bytes=download,
                     disk_bytes=disk if present else None, can_download=not present and download is not None,
                     can_remove=present if can_remove is None else can_remove)


class FakeLibrary:
    """Records what the desktop asks of the engine; a download advances in steps of 1 MB
    until it has all 605 MB, or only while `flowing` is set when `gate` is given."""

    def __init__(self, gate: bool = False):
        self.infos = {m.name: m for m in (
            model("dinov2-small", "dinov2", present=True, download=88 * MB, disk=88 * MB, hub_id="facebook/dinov2-small"),
            model("clip-b32", "clip", download=605 * MB, hub_id="openai/clip-vit-base-patch32"),
            model("sscd", "sscd", download=24 * MB),
            model("phash", "phash", present=True, can_remove=False))}
        self.downloads, self.removals, self.calibrated = [], [], []
        self.flowing = threading.Event()
        if not gate:
            self.flowing.set()

    def models(self):
        return list(self.infos.values())

    def download_model(self, name, on_progress=None, cancel=None):
        self.downloads.append(name)
        reporter = Reporter(f"downloading {name}", 605 * MB, on_progress, cancel, min_interval=0)
        while reporter.done < reporter.total:
            if not self.flowing.wait(0.01):
                reporter.report()   # a cancellation point, as a stalled network read would be
                continue
            reporter.advance(5 * MB)
            time.sleep(0.001)
        self.infos[name] = dataclasses.replace(self.infos[name], present=True, can_download=False,
                                               can_remove=True, disk_bytes=605 * MB)
        return f"/models/{name}"

    def remove_model(self, name):
        self.removals.append(name)
        self.infos[name] = dataclasses.replace(self.infos[name], present=False, can_download=True,
                                               can_remove=False, disk_bytes=None)
        return f"Removed {name}."

    def calibration(self, model=None, on_progress=None, cancel=None):
        self.calibrated.append(model)
        return SimpleNamespace(model=model or "dinov2-small", chance_end=0.18, near=0.42, similar=0.3,
                               pairs=2000, photos=120, source="calibrated",
                               sentence="chance similarity ends near 0.18 here (2000 random pairs); "
                                        "near duplicates from 0.42")


def manager(qtbot, library):
    make_application(["lookalike-test"])
    window = QWidget()
    qtbot.addWidget(window)
    runner = JobRunner(window)
    downloads = ModelDownloads(library, runner, window)
    page = ModelManager(downloads)
    page.window_ = window   # keeps the runner's window (and so the runner) alive with the page
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: len(page.rows) == len(library.infos)
                    and all(row.isVisibleTo(page) for row in page.rows.values()), timeout=5000)
    return page, downloads, runner


def test_a_missing_model_is_downloaded_once_and_only_after_its_download_button_is_clicked(qtbot):
    library = FakeLibrary()
    page, downloads, runner = manager(qtbot, library)
    row = page.rows["clip-b32"]
    assert row.download_button.isVisibleTo(page) and row.download_button.isEnabled()
    assert row.download_button.text() == "Download (605.0 MB)"
    assert "Not on this computer" in row.state.text() and "MIT" in row.about.text()
    assert "huggingface.co/openai/clip-vit-base-patch32" in row.about.text()
    qtbot.wait(200)
    assert library.downloads == []   # nothing fetched before the click
    row.download_button.click()
    downloads.download("clip-b32")   # a second request while it runs changes nothing
    qtbot.waitUntil(lambda: "On this computer" in row.state.text(), timeout=10000)
    qtbot.waitUntil(lambda: runner.idle, timeout=5000)
    assert library.downloads == ["clip-b32"]
    assert not row.download_button.isVisibleTo(page) and row.remove_button.isVisibleTo(page)


def test_a_download_shows_its_progress_and_cancel_stops_it_and_offers_to_resume(qtbot):
    library = FakeLibrary(gate=True)
    page, downloads, runner = manager(qtbot, library)
    row = page.rows["clip-b32"]
    row.download_button.click()
    library.flowing.set()
    qtbot.waitUntil(lambda: row.bar.isVisibleTo(page) and row.bar.value() > 0, timeout=5000)
    library.flowing.clear()
    assert "of 605.0 MB" in row.progress_label.text() and row.cancel_button.isVisibleTo(page)
    row.cancel_button.click()
    qtbot.waitUntil(lambda: "clip-b32" not in downloads.running, timeout=5000)
    qtbot.waitUntil(lambda: runner.idle, timeout=5000)
    assert not row.bar.isVisibleTo(page) and not row.cancel_button.isVisibleTo(page)
    assert row.download_button.text() == "Resume (605.0 MB)" and "part downloaded" in row.state.text()
    assert not library.infos["clip-b32"].present


def test_a_download_cut_off_before_the_app_started_is_offered_as_resume(qtbot):
    library = FakeLibrary()
    library.infos["clip-b32"] = dataclasses.replace(library.infos["clip-b32"], partial_bytes=200 * MB)
    page, downloads, _runner = manager(qtbot, library)   # a new session: nothing cancelled in it
    row = page.rows["clip-b32"]
    assert row.download_button.text() == "Resume (605.0 MB)" and "part downloaded" in row.state.text()
    assert page.rows["sscd"].download_button.text() == "Download (24.0 MB)"


def test_remove_asks_first_and_removes_the_model_only_when_the_user_agrees(qtbot):
    library = FakeLibrary()
    page, downloads, runner = manager(qtbot, library)
    row = page.rows["dinov2-small"]
    assert row.remove_button.isVisibleTo(page) and not page.rows["phash"].remove_button.isVisibleTo(page)
    asked = []

    def answer(no):
        def reply(box):
            asked.append(box.text())
            box.button(QMessageBox.StandardButton.No if no else QMessageBox.StandardButton.Yes).click()
        return reply

    when_modal(answer(no=True))
    row.remove_button.click()
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=5000)
    qtbot.wait(200)
    assert library.removals == [] and "dinov2-small (88.0 MB)" in asked[0]
    when_modal(answer(no=False))
    row.remove_button.click()
    qtbot.waitUntil(lambda: "Not on this computer" in row.state.text(), timeout=5000)
    assert library.removals == ["dinov2-small"] and row.download_button.text() == "Download (88.0 MB)"


def test_the_missing_model_dialog_offers_the_download_with_its_size_and_to_install_sscd(qtbot):
    make_application(["lookalike-test"])
    library = FakeLibrary()
    dinov2 = dataclasses.replace(library.infos["dinov2-small"], present=False, can_download=True)
    dialog = MissingModelDialog("dinov2-small", dinov2, True, library.infos["sscd"])
    qtbot.addWidget(dialog)
    assert dialog.buttons["download"].isEnabled() and dialog.buttons["download"].text() == "Download DINOv2 now (88.0 MB)"
    assert dialog.buttons["install_sscd"].text() == "Install SSCD (copy detection, 24.0 MB)"
    assert {"folder", "phash"} <= set(dialog.buttons)
    assert all(button.isEnabled() for button in dialog.findChildren(QPushButton))   # nothing greyed out
    dialog.buttons["download"].click()
    assert dialog.choice == "download"


def test_a_model_that_cannot_be_downloaded_is_explained_not_offered_greyed_out(qtbot):
    make_application(["lookalike-test"])
    fixed = model("mine", "dinov2")
    dialog = MissingModelDialog("mine", dataclasses.replace(fixed, source="no download is known for it"), False, None)
    qtbot.addWidget(dialog)
    assert "download" not in dialog.buttons
    assert any("cannot be downloaded from here: no download is known for it" in label.text()
               for label in dialog.findChildren(QLabel))
    assert all(button.isEnabled() for button in dialog.findChildren(QPushButton))


def test_preferences_show_the_models_page_and_no_allow_download_setting(qtbot, tmp_path):
    from lookalike.desktop.dialogs.preferences_dialog import PreferencesDialog
    from lookalike.engine import Library

    make_application(["lookalike-test"])
    window = QWidget()
    qtbot.addWidget(window)
    runner = JobRunner(window)
    library = Library.open(tmp_path / "lib")
    try:
        dialog = PreferencesDialog(library, devices=["cpu"], runner=runner)
        qtbot.addWidget(dialog)
        tabs = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
        assert "Models" in tabs
        assert not any("download" in box.text().lower() for box in dialog.findChildren(QCheckBox))
        qtbot.waitUntil(lambda: len(dialog.models_page.rows) == len(library.models()), timeout=10000)
        qtbot.waitUntil(lambda: runner.idle, timeout=20000)
    finally:
        library.close()


def test_preferences_say_where_chance_similarity_ends_for_the_chosen_model(qtbot, tmp_path, monkeypatch):
    from lookalike.desktop.dialogs.preferences_dialog import PreferencesDialog
    from lookalike.engine import Library

    make_application(["lookalike-test"])
    window = QWidget()
    qtbot.addWidget(window)
    runner = JobRunner(window)
    library = Library.open(tmp_path / "lib")
    fake = FakeLibrary()
    monkeypatch.setattr(library, "calibration", fake.calibration, raising=False)
    try:
        dialog = PreferencesDialog(library, devices=["cpu"], runner=runner)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitUntil(lambda: "Chance similarity ends near 0.18 here" in dialog.calibration.text(), timeout=5000)
        assert dialog.calibration.isVisibleTo(dialog)
        dialog.model.setCurrentIndex(dialog.model.findData("phash"))
        qtbot.waitUntil(lambda: fake.calibrated[-1:] == ["phash"], timeout=5000)
        qtbot.waitUntil(lambda: runner.idle, timeout=20000)
    finally:
        library.close()


def test_the_duplicates_view_says_quietly_where_chance_similarity_ends(qtbot, open_window, sample_photos, monkeypatch):
    window = open_window(model="phash")
    window.add_folder(str(sample_photos))
    wait_for_scan(qtbot, window)
    line = window.duplicates.calibration
    fake = FakeLibrary()
    monkeypatch.setattr(window.library, "calibration", fake.calibration, raising=False)
    window.refresh_views()
    qtbot.waitUntil(lambda: "Chance similarity ends near 0.18 here" in line.text(), timeout=10000)
    assert line.isVisibleTo(window.duplicates) and fake.calibrated[-1] is None   # the library's own model
    fixed = SimpleNamespace(**{**vars(fake.calibration()), "chance_end": None, "source": "fixed",
                               "sentence": "thresholds are the model's defaults"})
    monkeypatch.setattr(window.library, "calibration", lambda model=None, **_: fixed)
    window.refresh_views()   # nothing measured: the review says nothing rather than a default
    qtbot.waitUntil(lambda: not line.isVisibleTo(window.duplicates), timeout=10000)


def test_choosing_to_install_sscd_downloads_it_then_uses_it_and_scans(qtbot, open_window, sample_photos, tmp_path,
                                                                      monkeypatch):
    window = open_window(model="dinov2-small", model_dir_=str(tmp_path / "no-models"))
    real_models = window.library.models
    sscd_missing = lambda: [dataclasses.replace(m, present=False, can_download=True) if m.name == "sscd" else m  # noqa: E731
                            for m in real_models()]
    monkeypatch.setattr(window.library, "models", sscd_missing)
    fetched = []
    monkeypatch.setattr(window.library, "download_model",
                        lambda name, on_progress=None, cancel=None: fetched.append(name) or "/models/sscd")
    seen = {}

    def answer(dialog):
        seen["offer"] = dialog.buttons["install_sscd"].text()
        dialog.buttons["install_sscd"].click()

    when_modal(answer)
    window.add_folder(str(sample_photos))
    qtbot.waitUntil(lambda: window.library.settings.model == "sscd", timeout=30000)
    summary = wait_for_scan(qtbot, window)
    assert seen["offer"].startswith("Install SSCD (copy detection, ") and fetched == ["sscd"]
    assert summary is not None
