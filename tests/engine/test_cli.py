"""The `lookalike` command's contract: commands, JSON shapes, exit codes, one-line errors."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lookalike.engine.cli import main
from helpers import photo, save, tree_hashes


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def photos_with_copies(photos):
    for i in range(4):
        save(photo(i, size=(400, 300)), photos / f"p{i}.png")
    save(photo(0, size=(400, 300)).resize((200, 150)), photos / "p0 small.jpg", quality=80)
    shutil.copy(photos / "p1.png", photos / "p1 copy.png")
    return photos


def test_add_scan_duplicates_follow_the_documented_json_contract(capsys, library_dir, photos_with_copies, hf_home):
    lib = ["--library", str(library_dir)]
    assert run(capsys, *lib, "add", str(photos_with_copies))[0] == 0
    code, out, _ = run(capsys, *lib, "scan", "--model", "sscd")
    assert code == 0 and "6 added" in out and "5 embedded" in out  # the byte copy shares a run
    code, out, _ = run(capsys, *lib, "duplicates", "--json")
    assert code == 0
    groups = json.loads(out)["groups"]
    assert {g["tier"] for g in groups} == {"near", "exact"}
    for g in groups:
        for f in g["files"]:
            assert {"path", "similarity", "width", "height", "bytes"} <= set(f)
            assert isinstance(f["bytes"], int) and 0 <= f["similarity"] <= 1.0001
    grouped = sorted(os.path.basename(f["path"]) for g in groups for f in g["files"])
    assert grouped == ["p0 small.jpg", "p0.png", "p1 copy.png", "p1.png"]


def test_similar_and_search_print_results_as_json(capsys, library_dir, photos_with_copies, model_dir, hf_home):
    lib = ["--library", str(library_dir), "--model-dir", str(model_dir)]
    run(capsys, *lib, "add", str(photos_with_copies))
    assert run(capsys, *lib, "scan", "--model", "dinov2-small")[0] == 0
    code, out, _ = run(capsys, *lib, "similar", str(photos_with_copies / "p0.png"), "--limit", "2", "--json")
    results = json.loads(out)["results"]
    assert code == 0 and len(results) == 2 and set(results[0]) == {"path", "score"}
    assert os.path.basename(results[0]["path"]) == "p0 small.jpg"
    code, out, _ = run(capsys, *lib, "search", "two cats on a sofa", "--limit", "3", "--json")
    assert code == 0 and len(json.loads(out)["results"]) == 3
    code, out, _ = run(capsys, *lib, "compare", str(photos_with_copies / "p2.png"),
                       str(photos_with_copies / "p3.png"), "--json")
    scores = {s["model"]: s for s in json.loads(out)["scores"]}
    assert code == 0 and set(scores) == {"dinov2-small", "clip-b32", "sscd", "phash"}
    assert scores["phash"]["available"] and scores["phash"]["thresholds"] == {"near": 0.5, "similar": 0.4}
    assert scores["phash"]["meaning"].startswith(scores["phash"]["verdict"] + ": ")


def test_a_missing_model_exits_3_with_one_sentence_and_changes_nothing(capsys, library_dir, photos, hf_home, tmp_path):
    save(photo(1), photos / "a.jpg")
    lib = ["--library", str(library_dir), "--model-dir", str(tmp_path / "empty")]
    run(capsys, *lib, "add", str(photos))
    before = (library_dir / "catalog.sqlite").read_bytes()
    code, out, err = run(capsys, *lib, "scan")
    assert code == 3 and out == ""
    assert err.count("\n") == 1 and "facebook/dinov2-small" in err
    assert (library_dir / "catalog.sqlite").read_bytes() == before
    assert not (library_dir / "settings.json").exists()


def test_usage_mistakes_exit_2_and_failures_exit_1(capsys, library_dir, tmp_path):
    lib = ["--library", str(library_dir)]
    with pytest.raises(SystemExit) as caught:
        main([*lib, "duplicates", "--tier", "sorta"])
    assert caught.value.code == 2
    assert run(capsys, *lib, "scan", "--model", "resnet")[0] == 2
    code, _, err = run(capsys, *lib, "add", str(tmp_path / "nowhere"))
    assert code == 1 and "is not a folder" in err
    code, _, err = run(capsys, *lib, "scan")
    assert code == 1 and "no folders" in err


def test_folders_and_models_list_what_the_library_has(capsys, library_dir, photos, model_dir, hf_home):
    lib = ["--library", str(library_dir), "--model-dir", str(model_dir)]
    run(capsys, *lib, "add", str(photos))
    code, out, _ = run(capsys, *lib, "add", str(photos / "."))
    assert "already in the library" in out
    code, out, _ = run(capsys, *lib, "folders", "--json")
    assert json.loads(out) == {"folders": [{"path": str(photos), "files": 0}]}
    code, out, _ = run(capsys, *lib, "models", "--json")
    models = {m["name"]: m for m in json.loads(out)["models"]}
    assert models["dinov2-small"]["present"] and models["phash"]["present"]
    assert "model folder" in models["clip-b32"]["source"]
    assert run(capsys, *lib, "remove", str(photos))[0] == 0
    assert photos.exists()


def test_the_library_folder_can_come_from_the_environment(capsys, tmp_path, photos, monkeypatch):
    monkeypatch.setenv("LOOKALIKE_LIBRARY", str(tmp_path / "envlib"))
    assert run(capsys, "add", str(photos))[0] == 0
    assert (tmp_path / "envlib" / "catalog.sqlite").exists()


def without_root_file_powers():
    """Run as root, the child gives up CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, so file
    modes bind it as they bind every ordinary user (root otherwise reads mode-000 files)."""
    if os.geteuid() != 0:
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux file modes and capabilities")
def test_unreadable_files_and_folders_are_reported_and_their_records_kept(tmp_path):
    photos = tmp_path / "photos"
    save(photo(1), photos / "ok.jpg")
    secret = save(photo(2), photos / "secret.jpg")
    locked = photos / "locked"
    save(photo(3), locked / "inside.jpg")
    library = tmp_path / "lib"
    repo = Path(__file__).resolve().parents[2]

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "lookalike.engine.cli", "--library", str(library), *args],
                              cwd=repo, capture_output=True, text=True, preexec_fn=without_root_file_powers)

    assert cli("add", str(photos)).returncode == 0
    assert json.loads(cli("scan", "--model", "phash", "--json").stdout)["added"] == 3
    before = tree_hashes(photos)
    os.chmod(secret, 0)
    os.chmod(locked, 0)
    old = secret.stat().st_mtime_ns
    os.utime(secret, ns=(old + 10**9, old + 10**9))  # the file changed, then became unreadable
    try:
        result = cli("scan", "--json")
        assert result.returncode == 0, result.stderr
        summary = json.loads(result.stdout)
        reasons = {os.path.basename(e["path"]): e["reason"] for e in summary["errors"]}
        assert reasons["secret.jpg"] == "permission denied"
        assert reasons["locked"].startswith("folder not readable")
        assert summary["removed"] == 0 and summary["failed"] == 1
        listed = json.loads(cli("folders", "--json").stdout)["folders"]
        assert listed[0]["files"] == 3  # what was inside the locked folder is still known
    finally:
        os.chmod(secret, 0o644)
        os.chmod(locked, 0o755)
    assert tree_hashes(photos) == before


def test_the_progress_bar_redraws_one_line_on_a_terminal_and_stays_silent_otherwise():
    import io

    from lookalike.engine.cli import TerminalProgress
    from lookalike.engine.jobs import Progress

    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty, pipe = Tty(), io.StringIO()
    for stream in (tty, pipe):
        bar = TerminalProgress(stream)
        bar(Progress("embedding", 27, 108, elapsed=3.0))
        bar.done()
    drawn = tty.getvalue()
    assert "embedding" in drawn and "27/108" in drawn and "9.0/s" in drawn and "ETA 9s" in drawn
    assert "\n" not in drawn and pipe.getvalue() == ""


@pytest.fixture()
def marked_library(tmp_path, photos_with_copies):
    library = tmp_path / "cleanlib"
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "xdg")}
    repo = Path(__file__).resolve().parents[2]

    def cli(*args, drop_root=False):
        return subprocess.run([sys.executable, "-m", "lookalike.engine.cli", "--library", str(library), *args],
                              cwd=repo, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL,
                              preexec_fn=without_root_file_powers if drop_root else None)

    assert cli("add", str(photos_with_copies)).returncode == 0
    assert cli("scan", "--model", "sscd").returncode == 0
    assert "Marked 2 files for removal" in cli("mark", "--auto").stdout
    return cli


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux file modes and capabilities")
def test_clean_without_yes_and_without_a_terminal_does_nothing_and_says_so(marked_library, photos_with_copies):
    before = tree_hashes(photos_with_copies)
    result = marked_library("clean", "--trash")
    assert result.returncode == 1 and "nothing was done" in result.stderr
    assert tree_hashes(photos_with_copies) == before
    assert "No clean-ups yet." in marked_library("history").stdout


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux file modes and capabilities")
def test_a_really_read_only_destination_fails_each_file_and_loses_nothing(marked_library, photos_with_copies, tmp_path):
    before = tree_hashes(photos_with_copies)
    target = tmp_path / "read-only"
    target.mkdir()
    os.chmod(target, 0o555)
    try:
        result = marked_library("clean", "--move-to", str(target), "--yes", "--json", drop_root=True)
    finally:
        os.chmod(target, 0o755)
    assert result.returncode == 1, result.stderr  # files failed: the shell is told
    report = json.loads(result.stdout)
    assert report["done"] == [] and [s["reason"] for s in report["skipped"]] == ["permission denied"] * 2
    assert report["failed"] == 2
    assert tree_hashes(photos_with_copies) == before
    history = json.loads(marked_library("history", "--json").stdout)["batches"]
    assert history[0]["entries"] == {"failed": 2}
