"""`lookalike-gui --self-test`, the check an installer runs, passes only when the app works."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_self_test_indexes_the_samples_shows_the_window_and_exits_0():
    result = subprocess.run([sys.executable, "-m", "lookalike.desktop", "--self-test"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "phash found the expected duplicate pair" in result.stdout
    assert "main window shown" in result.stdout and "self-test: passed" in result.stdout
    assert "onnxruntime" in result.stdout and "ran a test graph" in result.stdout
    assert "wrote and read XMP" in result.stdout and "LibRaw" in result.stdout


def test_the_self_test_fails_with_one_readable_line_when_samples_are_missing(monkeypatch, tmp_path, capsys):
    from lookalike.desktop import app, self_test

    monkeypatch.setattr(app, "resources_dir", lambda: tmp_path)
    assert self_test.run() == 1
    assert "self-test: FAIL" in capsys.readouterr().err
