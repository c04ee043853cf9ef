"""Watching folders: changes arrive debounced, non-photos are ignored, pausing holds them."""
import threading

from lookalike.engine import Library
from lookalike.engine.watching.watcher import FolderWatcher
from helpers import photo, save


class Collector:
    def __init__(self):
        self.batches = []
        self.event = threading.Event()

    def __call__(self, paths):
        self.batches.append(paths)
        self.event.set()


def test_a_new_photo_arrives_once_after_the_debounce_and_text_files_are_ignored(photos):
    seen = Collector()
    watcher = FolderWatcher(seen, debounce=0.3)
    watcher.watch([str(photos)])
    try:
        (photos / "notes.txt").write_text("ignored")
        (photos / ".hidden.jpg").write_bytes(b"ignored too")
        save(photo(1), photos / "new.jpg")
        assert seen.event.wait(5)
        assert len(seen.batches) == 1 and seen.batches[0] == {str(photos / "new.jpg")}
    finally:
        watcher.stop()


def test_paused_watching_holds_changes_until_resumed(photos):
    seen = Collector()
    watcher = FolderWatcher(seen, debounce=0.2)
    watcher.watch([str(photos)])
    try:
        watcher.pause()
        save(photo(2), photos / "while paused.jpg")
        assert not seen.event.wait(1.0)
        watcher.resume()
        assert seen.event.wait(5) and str(photos / "while paused.jpg") in seen.batches[0]
    finally:
        watcher.stop()


def test_thumbnails_are_small_cached_and_follow_a_moved_file(tmp_path, photos):
    from PIL import Image

    save(photo(3, size=(1200, 900)), photos / "big.jpg")
    with Library.open(tmp_path / "lib") as library:
        library.add_folder(photos)
        library.scan(model="phash")
        [item] = library.photos()
        first = library.thumbnail(item, 128)
        assert max(Image.open(first).size) == 128
        (photos / "big.jpg").rename(photos / "moved.jpg")
        library.scan()
        [moved] = library.photos()
        assert moved.path.endswith("moved.jpg") and library.thumbnail(moved, 128) == first


def test_a_folder_that_keeps_changing_still_reports_within_the_maximum_wait(photos):
    import time

    seen = Collector()
    watcher = FolderWatcher(seen, debounce=0.4, max_wait=1.0)
    watcher.watch([str(photos)])
    try:
        started = time.monotonic()
        for i in range(30):   # a change every 0.1 s for 3 s: the debounce alone never fires
            save(photo(i % 5, size=(64, 48)), photos / f"burst{i}.jpg")
            time.sleep(0.1)
            if seen.batches:
                break
        assert seen.batches, "no change reported while the folder kept changing"
        assert time.monotonic() - started < 2.0
    finally:
        watcher.stop()
