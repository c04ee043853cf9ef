"""Fixtures shared by the engine's tests."""
import shutil

import pytest

from lookalike.engine import Library
from helpers import photo, save


@pytest.fixture()
def scanned(tmp_path):
    """A library scanned with SSCD: three pictures, a resized copy of each and a byte-identical
    copy of the first (four files to clean up); yields (library, photos folder)."""
    photos = tmp_path / "photos"
    for i in range(3):
        save(photo(i, size=(400, 300)), photos / f"p{i}.png")
        save(photo(i, size=(400, 300)).resize((200, 150)), photos / "copies" / f"p{i} small.jpg", quality=80)
    shutil.copy(photos / "p0.png", photos / "copies" / "p0 exact.png")
    library = Library.open(tmp_path / "lib")
    library.add_folder(photos)
    library.scan(model="sscd")
    yield library, photos
    library.close()
