"""Fixtures shared by the engine's tests."""
import shutil

import pytest

from lookalike.engine import Library
from lookalike.engine.actions import cleanup as actions
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


def crash_mid_batch(library, plan, monkeypatch) -> None:
    """Runs a clean-up (or a sort into tag folders) that dies right after touching its first file, before the journal says
    so (the one moment the disk can be ahead of the journal)."""
    def crash(path):
        raise KeyboardInterrupt()

    with monkeypatch.context() as patch:
        patch.setattr(actions, "_between_steps", crash)
        with pytest.raises(KeyboardInterrupt):
            (library.organise if plan.action == "organise" else library.clean)(plan)
