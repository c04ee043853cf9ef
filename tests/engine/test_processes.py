"""Two programs on one library: writers take turns across processes, readers never wait.

Every test runs the real `lookalike` command (or a small script using the engine) in
separate processes, because a lock that only works between threads passes any in-process test.
"""
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from helpers import photo, save, tree_hashes

ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path, **extra):
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "xdg"), HF_HUB_OFFLINE="1",
               PYTHONPATH=str(ROOT))
    env.update({k: str(v) for k, v in extra.items()})
    return env


def lookalike(tmp_path, library, *args, **env):
    return subprocess.Popen([sys.executable, "-m", "lookalike.engine.cli", "--library", str(library), *args],
                            cwd=ROOT, env=_env(tmp_path, **env), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finish(proc, timeout=120):
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def engine_script(tmp_path, code, **env):
    """A Python process running `code` against the engine; prints READY when it got going."""
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT,
                            env=_env(tmp_path, **env), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_for_line(proc, expected, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if expected in line:
            return
        if not line and proc.poll() is not None:
            raise AssertionError(f"the helper exited {proc.returncode}: {proc.stderr.read()}")
    raise AssertionError(f"the helper never printed {expected}")


def catalog_paths(library):
    with sqlite3.connect(library / "catalog.sqlite") as conn:
        return [row[0] for row in conn.execute("SELECT path FROM files")]


@pytest.fixture()
def photos(tmp_path):
    folder = tmp_path / "photos"
    for i in range(30):
        save(photo(i, size=(320, 240)), folder / f"p{i:02d}.png")
    return folder


def test_two_scans_started_together_both_succeed_and_catalog_each_file_once(tmp_path, photos):
    # 8 MB of padding after each PNG's end (viewers ignore it) makes hashing take long enough
    # that both scans are between their walk and their first write at the same time.
    for path in photos.iterdir():
        with open(path, "ab") as fh:
            fh.write(bytes(8_000_000))
    library = tmp_path / "lib"
    assert finish(lookalike(tmp_path, library, "add", str(photos)))[0] == 0
    first = lookalike(tmp_path, library, "scan", "--model", "sscd")
    second = lookalike(tmp_path, library, "scan", "--model", "sscd")
    results = [finish(first), finish(second)]
    for code, out, err in results:
        assert code == 0, err
        assert "Traceback" not in err
    paths = catalog_paths(library)
    assert len(paths) == len(set(paths)) == 30


def test_a_writer_that_outlasts_the_timeout_gets_one_sentence_and_exit_1(tmp_path, photos):
    library = tmp_path / "lib"
    assert finish(lookalike(tmp_path, library, "add", str(photos)))[0] == 0
    holder = engine_script(tmp_path, f"""
        import sys, time
        from lookalike.engine import Library
        from lookalike.engine.lock import describe_process
        describe_process("lookalike scan")
        with Library.open({str(library)!r}) as library, library.writing():
            print("READY", flush=True)
            time.sleep(60)
    """)
    try:
        wait_for_line(holder, "READY")
        started = time.monotonic()
        code, out, err = finish(lookalike(tmp_path, library, "scan", "--model", "sscd",
                                          LOOKALIKE_LOCK_TIMEOUT=2))
        waited = time.monotonic() - started
        assert code == 1 and out == ""
        lines = err.strip().splitlines()
        assert lines[0] == f"lookalike: waiting for the library (in use by lookalike scan, pid {holder.pid})"
        assert len(lines) == 2 and lines[1].startswith("lookalike: The library at ")
        assert "in use by lookalike scan" in lines[1] and "Traceback" not in err
        assert waited < 30
        # Readers never wait for the writer.
        code, out, err = finish(lookalike(tmp_path, library, "folders", LOOKALIKE_LOCK_TIMEOUT=2), 20)
        assert code == 0 and str(photos) in out and err == ""
    finally:
        holder.kill()
        holder.wait()


@pytest.fixture()
def marked(tmp_path):
    """A scanned library with 12 byte-identical copies marked for removal."""
    photos = tmp_path / "photos"
    for i in range(12):
        save(photo(i, size=(200, 150)), photos / f"p{i:02d}.png")
        save(photo(i, size=(200, 150)), photos / "copies" / f"p{i:02d}.png")
    library = tmp_path / "lib"
    for args in (("add", str(photos)), ("scan", "--model", "sscd"), ("mark", "--auto", "--tier", "exact")):
        code, out, err = finish(lookalike(tmp_path, library, *args))
        assert code == 0, err
    return library, photos


SLOW_CLEAN = """
    import time
    from lookalike.engine import Library
    from lookalike.engine.lock import describe_process
    describe_process("lookalike clean")
    def slowly(progress):
        if progress.phase == "trashing" and progress.done == 1:
            print("READY", flush=True)
        time.sleep(0.4)
    with Library.open({library!r}) as library:
        plan = library.plan_clean("trash", tier="exact")
        report = library.clean(plan, on_progress=slowly)
        print("CLEANED", len(report.done), flush=True)
"""


def batches(library):
    with sqlite3.connect(library / "catalog.sqlite") as conn:
        return [row[0] for row in conn.execute("SELECT state FROM batches ORDER BY id")]


def test_undo_during_a_running_clean_waits_for_it_then_undoes_it(tmp_path, marked):
    library, photos = marked
    before = tree_hashes(photos)
    cleaner = engine_script(tmp_path, SLOW_CLEAN.format(library=str(library)))
    wait_for_line(cleaner, "READY")
    code, out, err = finish(lookalike(tmp_path, library, "undo"))
    cleaned, cleaner_err = cleaner.communicate(timeout=60)
    assert cleaner.returncode == 0, cleaner_err
    assert "CLEANED 12" in cleaned
    assert code == 0, err
    assert "waiting for the library (in use by lookalike clean" in err
    assert tree_hashes(photos) == before
    assert batches(library) == ["undone"]


def test_two_undos_at_once_restore_everything_and_leave_the_journal_finished(tmp_path, marked):
    library, photos = marked
    before = tree_hashes(photos)
    code, out, err = finish(lookalike(tmp_path, library, "clean", "--trash", "--yes"))
    assert code == 0, err
    assert len(tree_hashes(photos)) == 12
    first, second = lookalike(tmp_path, library, "undo"), lookalike(tmp_path, library, "undo")
    results = sorted([finish(first), finish(second)], key=lambda r: r[0])
    assert [r[0] for r in results] == [0, 1]
    assert results[1][2].strip().splitlines()[-1] == "lookalike: There is nothing to undo."
    assert tree_hashes(photos) == before
    assert batches(library) == ["undone"]
