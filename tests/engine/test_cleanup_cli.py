"""The clean-up commands tell the shell the truth: failures exit non-zero, output ends cleanly."""
import json
import shutil

import pytest

from lookalike.engine.actions import cleanup as actions
from lookalike.engine.cli import main
from helpers import photo, save


@pytest.fixture()
def marked(tmp_path, capsys):
    """A library whose three byte-identical copies are scanned and marked: two to remove."""
    photos = tmp_path / "photos"
    save(photo(1), photos / "a.png")
    for name in ("b.png", "c.png"):
        shutil.copy(photos / "a.png", photos / name)
    lib = ["--library", str(tmp_path / "lib")]
    for args in (["add", str(photos)], ["scan", "--model", "phash"], ["mark", "--auto", "--tier", "exact"]):
        assert main(lib + args) == 0
    capsys.readouterr()
    return lib


def refuse_writes(source, destination, digest):
    raise PermissionError(13, "Permission denied")


def test_clean_exits_1_when_files_failed_and_names_each_one(marked, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(actions, "_move_verified", refuse_writes)
    code = main(marked + ["clean", "--move-to", str(tmp_path / "out"), "--yes"])
    out, err = capsys.readouterr()
    assert code == 1
    assert err.count("permission denied") == 2 and "0 files" in out


def test_clean_json_exits_1_when_files_failed(marked, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(actions, "_move_verified", refuse_writes)
    code = main(marked + ["clean", "--move-to", str(tmp_path / "out"), "--yes", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1 and report["failed"] == 2 and report["done"] == []


def test_recover_complete_exits_1_when_entries_failed(marked, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(actions, "_between_steps", lambda path: (_ for _ in ()).throw(KeyboardInterrupt()))
    assert main(marked + ["clean", "--move-to", str(tmp_path / "out"), "--yes"]) == 130  # the crash
    monkeypatch.setattr(actions, "_between_steps", lambda path: None)
    monkeypatch.setattr(actions, "_move_verified", refuse_writes)
    code = main(marked + ["recover", "--complete"])
    out, err = capsys.readouterr()
    assert code == 1 and "permission denied" in err and "1 could not be handled" in out


def test_a_clean_without_failures_still_exits_0(marked, tmp_path, capsys):
    assert main(marked + ["clean", "--trash", "--yes"]) == 0
    assert main(marked + ["undo"]) == 0


def test_history_output_ends_with_a_newline(marked, capsys):
    assert main(marked + ["clean", "--trash", "--yes"]) == 0
    capsys.readouterr()
    for args in (["history"], ["history", "--json"]):
        assert main(marked + args) == 0
        out = capsys.readouterr().out
        assert out.endswith("\n") and not out.endswith("\n\n")
