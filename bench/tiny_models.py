"""Builds the tiny random-weight DINOv2 the tests use into a model folder (for `make screenshots`
on a machine without real weights): the patch-map pictures then show the pipeline working, not
what real DINOv2 sees, and the README says so.

    python bench/tiny_models.py .venv/tiny-models
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from helpers import build_tiny_dinov2  # noqa: E402 - the tests' own builder, one definition


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    folder = Path(args[0])
    if not (folder / "facebook" / "dinov2-small" / "config.json").is_file():
        build_tiny_dinov2(folder)
    print(f"tiny random-weight DINOv2 in {folder / 'facebook' / 'dinov2-small'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
