"""A second Lookalike window on one library is told and refused; the first keeps it to itself."""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

import lookalike.desktop.app as app_module
import lookalike.desktop.main_window as main_window_module
from lookalike.engine.lock import app_instance_lock

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def started(monkeypatch):
    """main() up to the event loop: the windows it opens and the messages it shows are
    recorded, and the event loop returns at once (`during` runs inside it)."""
    seen = {"windows": 0, "messages": [], "during": None, "during_result": None}

    class Window:
        def __init__(self, library, *args, **kwargs):
            seen["windows"] += 1

        def show(self):
            pass

        def request_scan(self):
            pass

    def exec_(self):
        if seen["during"]:
            seen["during_result"] = seen["during"]()
        return 0

    def message(parent, title, text, *args, **kwargs):
        seen["messages"].append(text)
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(main_window_module, "MainWindow", Window)
    monkeypatch.setattr(QApplication, "exec", exec_)
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(message))
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(message))
    monkeypatch.setattr(QMessageBox, "information", staticmethod(message))
    monkeypatch.setattr(app_module, "settle_heap", lambda: None)
    return seen


def test_a_second_app_on_the_same_library_says_so_in_one_sentence_and_exits(tmp_path, started):
    library = tmp_path / "lib"
    library.mkdir()
    first = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import time
        from lookalike.engine.lock import app_instance_lock
        held = app_instance_lock({str(library)!r})
        print("READY" if held else "REFUSED", flush=True)
        time.sleep(60)
    """)], cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), text=True, stdout=subprocess.PIPE)
    try:
        assert first.stdout.readline().strip() == "READY"
        code = app_module.main(["--library", str(library)])
    finally:
        first.kill()
        first.wait()
    assert code == 1 and started["windows"] == 0
    [message] = started["messages"]
    assert "already open" in message and message.count(". ") == 0 and message.endswith(".")


def test_the_app_keeps_its_library_to_itself_while_it_runs_and_frees_it_on_quit(tmp_path, started):
    library = tmp_path / "lib"

    def second_instance_refused():
        probe = app_instance_lock(library)
        if probe is not None:
            probe.release()
        return probe is None

    started["during"] = second_instance_refused
    assert app_module.main(["--library", str(library)]) == 0
    assert started["windows"] == 1 and started["messages"] == []
    assert started["during_result"] is True
    again = app_instance_lock(library)
    assert again is not None
    again.release()


def test_a_terminal_scan_and_the_watching_app_take_turns_on_one_library(qtbot, open_window, sample_photos, tmp_path):
    import sqlite3

    from helpers import photo, save
    from .conftest import wait_for_scan

    window = open_window()
    with qtbot.waitSignal(window.scan_finished, timeout=60000):
        window.add_folder(str(sample_photos))
    qtbot.waitUntil(lambda: window.runner.idle, timeout=30000)
    for i in range(10):  # new photos: the app's watcher and the terminal both go for them
        path = save(photo(200 + i, size=(320, 240)), sample_photos / "new" / f"n{i}.png")
        with open(path, "ab") as fh:
            fh.write(bytes(4_000_000))  # hashing takes a while, so the two scans may overlap
    terminal = subprocess.Popen([sys.executable, "-m", "lookalike.engine.cli", "--library", str(window.library.path),
                                 "scan", "--model", "sscd"], cwd=ROOT, text=True,
                                env=dict(os.environ, PYTHONPATH=str(ROOT)),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_for_scan(qtbot, window)
    out, err = terminal.communicate(timeout=120)
    assert terminal.returncode == 0, err
    assert "Traceback" not in err
    with sqlite3.connect(window.library.path / "catalog.sqlite") as conn:
        paths = [row[0] for row in conn.execute("SELECT path FROM files")]
    assert len(paths) == len(set(paths)) == 15


def test_adding_a_folder_while_a_terminal_command_writes_waits_visibly_and_keeps_the_window_alive(qtbot, open_window, sample_photos):
    import time

    from lookalike.engine.lock import WriterLock

    window = open_window(model="phash")
    busy = WriterLock(window.library.path)
    busy.acquire()   # as `lookalike scan` in a terminal would: another holder of the lock file
    try:
        started = time.monotonic()
        window.add_folder(str(sample_photos))
        assert time.monotonic() - started < 1.0   # the window never waits for the library
        qtbot.waitUntil(lambda: "waiting for the library" in window.job_status.label.text(), timeout=10000)
        assert window.library.folders() == []
    finally:
        busy.release()
    qtbot.waitUntil(lambda: [f.path for f in window.library.folders()] == [str(sample_photos.resolve())],
                    timeout=30000)
