"""Cached thumbnails are derived data: a damaged one is rebuilt, never shown forever."""
from PIL import Image

from lookalike.engine import Library
from helpers import photo, save


def _library_with_one_photo(tmp_path):
    save(photo(3, size=(320, 240)), tmp_path / "photos" / "kite.png")
    library = Library.open(tmp_path / "lib")
    library.add_folder(tmp_path / "photos")
    library.scan(model="phash")
    return library


def test_a_corrupt_cached_thumbnail_is_rebuilt_from_the_photo(tmp_path):
    with _library_with_one_photo(tmp_path) as library:
        [kite] = library.photos()
        cached = library.thumbnail(kite, 128)
        with open(cached, "r+b") as fh:       # a disk error or a killed writer: garbage inside
            fh.seek(0)
            fh.write(b"\0" * 64)
        rebuilt = library.thumbnail(kite, 128)
        with Image.open(rebuilt) as picture:
            picture.load()
            assert max(picture.size) == 128


def test_an_empty_cached_thumbnail_is_rebuilt(tmp_path):
    with _library_with_one_photo(tmp_path) as library:
        [kite] = library.photos()
        cached = library.thumbnail(kite, 96)
        open(cached, "wb").close()
        with Image.open(library.thumbnail(kite, 96)) as picture:
            picture.load()
            assert max(picture.size) == 96
