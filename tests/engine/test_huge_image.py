"""A very large photo (past Pillow's bomb warning, below its refusal) scans like any other."""
import os
import subprocess
import sys
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]


def test_a_121_megapixel_png_is_scanned_and_nothing_raw_reaches_stderr(tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    started = time.monotonic()
    # One colour compresses to almost nothing: cheap to make, and still 121 MP to decode.
    Image.new("1", (11000, 11000), 1).save(photos / "panorama.png")
    assert time.monotonic() - started < 10
    env = dict(os.environ, PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1")

    def lookalike(*args):
        return subprocess.run([sys.executable, "-m", "lookalike.engine.cli", "--library", str(tmp_path / "lib"), *args],
                              cwd=ROOT, env=env, text=True, capture_output=True, timeout=240)

    assert lookalike("add", str(photos)).returncode == 0
    done = lookalike("scan", "--model", "sscd", "--json")
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr and "decompression" not in done.stderr.lower()
    assert '"embedded": 1' in done.stdout and '"failed": 0' in done.stdout
