"""A file swapped for a pipe or a device mid-scan is reported, never waited on.

Reading a FIFO blocks in open() until some writer appears, which may be never. Each case runs
in its own process so that a hang is a failed test (killed at the timeout), not a stuck run.
"""
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from helpers import photo, save

ROOT = Path(__file__).resolve().parents[2]
SECONDS = 30  # a hang shows as this; a healthy run takes a few seconds

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")


def run_script(tmp_path, code):
    env = dict(os.environ, PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1",
               XDG_DATA_HOME=str(tmp_path / "xdg"))
    started = time.monotonic()
    try:
        done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, env=env,
                              text=True, capture_output=True, timeout=SECONDS)
    except subprocess.TimeoutExpired:
        pytest.fail(f"still blocked after {SECONDS} s: a pipe was waited on")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1]), time.monotonic() - started


@pytest.fixture()
def library(tmp_path):
    photos = tmp_path / "photos"
    for i in range(3):
        save(photo(i, size=(200, 150)), photos / f"p{i}.png")
    return tmp_path / "lib", photos


SWAP_AFTER = """
    import json, os
    import lookalike.engine.scanning.scan as scan
    from lookalike.engine import Library

    def swapping(real):
        def step(*args, **kwargs):
            result = real(*args, **kwargs)
            os.unlink({target!r})
            os.mkfifo({target!r})
            return result
        return step

    with Library.open({library!r}) as library:
        library.add_folder({photos!r})
        if {rescan}:
            library.scan(model="sscd")
            with open({target!r}, "ab") as fh:  # changed: the next scan hashes it again
                fh.write(b"more bytes")
        scan.{step} = swapping(scan.{step})
        print(json.dumps(library.scan(model="sscd").to_dict()))
"""


def test_a_cataloged_photo_swapped_for_a_pipe_before_hashing_is_reported(tmp_path, library):
    lib, photos = library
    target = str(photos / "p1.png")
    summary, seconds = run_script(tmp_path, SWAP_AFTER.format(
        library=str(lib), photos=str(photos), target=target, rescan=True, step="walk"))
    assert [(e["path"], e["reason"]) for e in summary["errors"]] == [
        (target, "not a regular file (a pipe or device)")]
    assert summary["failed"] == 1


def test_a_new_photo_swapped_for_a_pipe_before_decoding_is_reported(tmp_path, library):
    lib, photos = library
    target = str(photos / "p2.png")
    summary, seconds = run_script(tmp_path, SWAP_AFTER.format(
        library=str(lib), photos=str(photos), target=target, rescan=False, step="_apply_changes"))
    assert summary["added"] == 3 and summary["embedded"] == 2
    assert [(e["path"], e["reason"]) for e in summary["errors"]] == [
        (target, "not a regular file (a pipe or device)")]


def test_a_thumbnail_of_a_pipe_is_refused_at_once(tmp_path):
    pipe = tmp_path / "looks like a photo.jpg"
    os.mkfifo(pipe)
    result, seconds = run_script(tmp_path, f"""
        import json
        from pathlib import Path
        from lookalike.engine.scanning.decode import DecodeError
        from lookalike.engine.thumbnails import make_thumbnail
        try:
            make_thumbnail({str(pipe)!r}, Path({str(tmp_path / 'thumb.jpg')!r}), 128)
        except DecodeError as exc:
            print(json.dumps(str(exc)))
    """)
    assert result == "not a regular file (a pipe or device)"
    assert not (tmp_path / "thumb.jpg").exists()
