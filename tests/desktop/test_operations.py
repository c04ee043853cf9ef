"""Background jobs as the user sees them: errors always shown, stale reads dropped, long reads
stoppable."""
import threading
import time

from PySide6.QtWidgets import QWidget

from lookalike.desktop.app import make_application
from lookalike.desktop.worker import JobRunner
from lookalike.engine.jobs import Reporter

from .conftest import LongGrouping


def runner_in_a_window(qtbot):
    make_application(["lookalike-test"])
    window = QWidget()
    qtbot.addWidget(window)
    runner = JobRunner(window)
    return window, runner


def test_an_older_slower_read_never_overwrites_a_newer_one(qtbot):
    _window, runner = runner_in_a_window(qtbot)
    release = threading.Event()
    shown = []

    def slow_old():
        release.wait(10)
        return "old results"

    runner.read(slow_old, shown.append, key="search results")
    runner.read(lambda: "new results", shown.append, key="search results")
    qtbot.waitUntil(lambda: shown == ["new results"], timeout=5000)
    release.set()
    qtbot.waitUntil(lambda: runner.idle, timeout=5000)
    assert shown == ["new results"]


def test_a_stale_read_that_fails_shows_no_error(qtbot):
    _window, runner = runner_in_a_window(qtbot)
    release = threading.Event()
    errors, shown = [], []

    def failing_old():
        release.wait(10)
        raise OSError("disk gone")

    runner.read(failing_old, shown.append, errors.append, key="comparison")
    runner.read(lambda: "newer", shown.append, errors.append, key="comparison")
    qtbot.waitUntil(lambda: shown == ["newer"], timeout=5000)
    release.set()
    qtbot.waitUntil(lambda: runner.idle, timeout=5000)
    assert errors == [] and runner.error_shown is None


def test_reads_of_different_kinds_do_not_replace_each_other(qtbot):
    _window, runner = runner_in_a_window(qtbot)
    shown = []
    runner.read(lambda: "photos", shown.append, key="photos")
    runner.read(lambda: "groups", shown.append, key="groups")
    qtbot.waitUntil(lambda: runner.idle, timeout=5000)
    assert sorted(shown) == ["groups", "photos"]


def test_a_failing_write_without_its_own_handler_shows_the_error_notice(qtbot):
    window, runner = runner_in_a_window(qtbot)

    def fails(on_progress, cancel):
        raise PermissionError(13, "Permission denied")

    runner.write("Saving marks", fails)
    qtbot.waitUntil(lambda: runner.error_shown is not None, timeout=5000)
    notice = runner.error_shown
    assert notice.objectName() == "errorNotice" and notice.parent() is window
    assert notice.windowTitle() == "Saving marks failed"
    assert "could not be read or written" in notice.text() and "Traceback" not in notice.text()
    assert "PermissionError" in notice.detailedText()   # the details sit behind the button
    notice.close()


def test_a_failing_read_without_its_own_handler_shows_the_error_notice(qtbot):
    _window, runner = runner_in_a_window(qtbot)
    runner.read(lambda: 1 / 0, lambda _: None)
    qtbot.waitUntil(lambda: runner.error_shown is not None, timeout=5000)
    assert "Something went wrong (ZeroDivisionError)" in runner.error_shown.text()
    runner.error_shown.close()


def test_a_long_read_shows_progress_and_stops_when_cancelled(qtbot):
    _window, runner = runner_in_a_window(qtbot)
    long_grouping = LongGrouping(result="groups")
    cancelled, done, reports = [], [], []
    runner.progress.connect(lambda label, p: reports.append((label, p.phase)))
    runner.read(long_grouping, done.append, label="Regrouping", on_cancel=lambda: cancelled.append(True),
                key="groups")
    qtbot.waitUntil(lambda: ("Regrouping", "verifying") in reports, timeout=5000)
    assert runner.reading
    began = time.monotonic()
    runner.cancel()
    qtbot.waitUntil(lambda: cancelled == [True], timeout=5000)
    assert long_grouping.ended.wait(2.0) and time.monotonic() - began < 2.0
    qtbot.waitUntil(lambda: runner.idle, timeout=5000)
    assert done == [] and not runner.reading


def test_a_newer_long_read_stops_the_older_one_at_its_next_report(qtbot):
    _window, runner = runner_in_a_window(qtbot)
    old_ended = threading.Event()
    shown, cancelled = [], []

    def old(on_progress, cancel):
        try:
            reporter = Reporter("verifying", 4000, on_progress, cancel)
            for _ in range(4000):
                time.sleep(0.005)
                reporter.advance()
            return "old"
        finally:
            old_ended.set()

    runner.read(old, shown.append, label="Regrouping", on_cancel=lambda: cancelled.append("old"), key="groups")
    runner.read(lambda on_progress, cancel: "new", shown.append, label="Regrouping", key="groups")
    assert old_ended.wait(2.0)
    qtbot.waitUntil(lambda: runner.idle, timeout=5000)
    assert shown == ["new"] and cancelled == []   # replaced, not "stopped by the user"


def test_the_desktop_offers_every_tier_model_and_file_type_the_engine_names():
    from lookalike.desktop.views.compare_view import IMAGE_FILTER
    from lookalike.desktop.views.duplicates_view import tier_choices
    from lookalike.engine import IMAGE_EXTENSIONS, TIERS

    assert {tier for tier, _ in tier_choices()} == set(TIERS) - {"all"}
    assert all(f"*{ext}" in IMAGE_FILTER for ext in IMAGE_EXTENSIONS)


def test_preferences_list_the_engines_duplicate_models_with_their_purpose(qtbot, tmp_path):
    from lookalike.desktop.dialogs.preferences_dialog import PreferencesDialog
    from lookalike.engine import TEXT_MODEL, Library

    make_application(["lookalike-test"])
    library = Library.open(tmp_path / "lib")
    try:
        dialog = PreferencesDialog(library, devices=["cpu"])
        qtbot.addWidget(dialog)
        offered = [dialog.model.itemData(i) for i in range(dialog.model.count())]
        assert offered == [m.name for m in library.models() if m.name != TEXT_MODEL]
        tips = [dialog.model.itemData(i, 3) for i in range(dialog.model.count())]   # ToolTipRole
        assert tips == [m.description for m in library.models() if m.name != TEXT_MODEL]
    finally:
        library.close()


def test_the_presets_editor_adds_a_keep_the_best_n_rule_and_says_why_it_refuses_one(qtbot, tmp_path):
    from lookalike.desktop.dialogs.preferences_dialog import PreferencesDialog
    from lookalike.engine import Library

    make_application(["lookalike-test"])
    library = Library.open(tmp_path / "lib")
    try:
        dialog = PreferencesDialog(library, devices=["cpu"])
        qtbot.addWidget(dialog)
        dialog.presets["mine"] = [{"rule": "sharpness"}]
        dialog.preset_list.addItem("mine")
        dialog.preset_list.setCurrentRow(dialog.preset_list.count() - 1)
        dialog.rule_choice.setCurrentText("series")
        dialog.rule_param.setText("0")
        dialog._add_rule()
        assert "at least its best one" in dialog.rule_problem.text()
        assert dialog.presets["mine"] == [{"rule": "sharpness"}]
        dialog.rule_param.setText("3")
        dialog._add_rule()
        assert dialog.presets["mine"][-1] == {"rule": "series", "keep": 3}
        assert dialog.rule_list.item(1).text() == "series = keep the best 3"
        assert dialog.rule_problem.text() == ""
    finally:
        library.close()
