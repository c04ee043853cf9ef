"""Builds a library holding every kind of user data, and damages its catalog on purpose."""
import os
import sqlite3
from pathlib import Path

from lookalike.engine.catalog.tags import TagStore
from lookalike.engine.library import Library

FILES = 3000


def populated(library_dir: Path, photos: Path) -> dict:
    """A library with a folder, a reference folder, marks, a preset, a tag taught from three
    examples (and a starter tag deleted), and a finished move in its journal; returns what a
    repair must bring back."""
    reference = photos.parent / "reference"
    reference.mkdir(exist_ok=True)
    with Library.open(library_dir) as lib:
        lib.add_folder(photos)
        lib.add_reference_folder(reference)
        folder = [f for f in lib.catalog.folders() if f.path == str(photos.resolve())][0]
        ids = lib.catalog.insert_files([
            {"folder_id": folder.id, "path": str(photos / f"img{i:05d}.jpg"), "size": 1000 + i,
             "mtime_ns": i, "content_hash": f"{i:064x}", "camera": "Camera with a long model name"}
            for i in range(FILES)])
        lib.ledger.set_marks([(ids[0], "keep"), (ids[1], "remove"), (ids[-1], "remove")])
        lib.ledger.save_preset("mine", [{"rule": "largest"}])
        tags = TagStore(lib.catalog.engine)
        taught = tags.create("holidays", "example", [], None)
        tags.put_examples(taught.id, [{"content_hash": f"{i:064x}", "label": 1, "origin": "example"}
                                      for i in range(3)])
        tags.delete(tags.get("receipts").id)
        batch = lib.ledger.start_batch("move", str(photos.parent / "moved"), [
            {"path": str(photos / f"gone{i}.jpg"), "size": 10, "mtime_ns": 1,
             "content_hash": f"{i:064x}"} for i in range(216)])
        lib.ledger.finish_batch(batch, "done")
        lib.catalog.backup()
    return {"folders": sorted([str(photos.resolve()), str(reference.resolve())]),
            "marks": {ids[0]: "keep", ids[1]: "remove", ids[-1]: "remove"}, "batch": batch}


def root_pages(path: Path) -> set[int]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT rootpage FROM sqlite_master") if r[0]}


def garble(path: Path, share: float = 1.0, first_page: bool = False) -> None:
    """Writes random bytes over the middle `share` of the pages that are no table's or index's
    root (so small tables stay readable), or over page 1's schema when `first_page`."""
    with sqlite3.connect(path) as conn:
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    if first_page:
        data[0:size] = os.urandom(size)
    else:
        roots = root_pages(path)
        pages = [p for p in range(2, len(data) // size + 1) if p not in roots]
        skip = int(len(pages) * (1 - share) / 2)
        for page in pages[skip:len(pages) - skip]:
            data[(page - 1) * size:page * size] = os.urandom(size)
    path.write_bytes(bytes(data))
