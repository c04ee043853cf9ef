import shutil
import threading
import time

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from lookalike.engine import Library
from lookalike.engine.jobs import Reporter
from helpers import photo, save


@pytest.fixture()
def sample_photos(tmp_path):
    """Three distinct pictures; one has a resized copy and one a byte-identical copy."""
    folder = tmp_path / "photos"
    for i in range(3):
        save(photo(100 + i, size=(480, 360)), folder / f"shot{i}.png")
    save(photo(100, size=(480, 360)).resize((240, 180)), folder / "copies" / "shot0 small.jpg", quality=85)
    shutil.copy(folder / "shot1.png", folder / "copies" / "shot1 copy.png")
    return folder


@pytest.fixture()
def open_window(qtbot, tmp_path, model_dir, hf_home):
    """Opens a MainWindow on a library (SSCD for duplicates, the tiny CLIP for text search)."""
    from lookalike.desktop.app import make_application
    from lookalike.desktop.main_window import MainWindow

    make_application(["lookalike-test"])
    opened = []

    def open_(model="sscd", model_dir_=str(model_dir), library_dir=None):
        library = Library.open(library_dir or tmp_path / "lib", model_dir=model_dir_)
        if model:
            library.settings.model = model
        window = MainWindow(library, debounce=0.3)
        window.show()
        opened.append(window)
        return window

    yield open_
    for window in opened:
        qtbot.waitUntil(lambda: window.runner.idle, timeout=30000)
        window.close()
        window.library.close()


def when_modal(handler, timeout_ms=20000):
    """Answers the next modal dialog the app opens, as a user would."""
    waited = [0]

    def poll():
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            waited[0] += 50
            if waited[0] < timeout_ms:
                QTimer.singleShot(50, poll)
            return
        handler(dialog)

    QTimer.singleShot(50, poll)


def wait_for_scan(qtbot, window, timeout=60000):
    """Waits for the next scan to finish and the views to settle on its results."""
    with qtbot.waitSignal(window.scan_finished, timeout=timeout) as blocker:
        pass
    qtbot.waitUntil(lambda: window.runner.idle, timeout=timeout)
    return blocker.args[0]


def scanned_review(qtbot, window, folder, timeout=20000):
    """Adds `folder`, waits for its scan, and returns the duplicates view once its groups show."""
    window.add_folder(str(folder))
    wait_for_scan(qtbot, window)
    view = window.duplicates
    qtbot.waitUntil(lambda: bool(view.pairs) and bool(view.cards) and window.runner.idle, timeout=timeout)
    return view


class LongGrouping:
    """A grouping job as long as 800 look-alike pictures made one: 4,000 geometric checks of
    5 ms (20 s) unless cancelled; `started` and `ended` tell where it is."""

    def __init__(self, result=()):
        self.started, self.ended = threading.Event(), threading.Event()
        self.result = result

    def __call__(self, on_progress=None, cancel=None, **_kw):
        try:
            self.started.set()
            reporter = Reporter("verifying", 4000, on_progress, cancel)
            for _ in range(4000):
                time.sleep(0.005)
                reporter.advance()
            return self.result
        finally:
            self.ended.set()
