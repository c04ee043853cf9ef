"""Undo brings the catalog back too: restored photos are in their groups at once, no rescan."""
import pytest

from lookalike.engine import Library

from .conftest import crash_mid_batch


def grouped(library) -> list[list[str]]:
    return sorted(sorted(f.path for f in g.files) for g in library.duplicates())


def no_model(*args, **kwargs):
    raise AssertionError("undo must not need a model: the vectors come back with the rows")


@pytest.mark.parametrize("action", ["trash", "move"])
def test_undone_photos_are_back_in_duplicates_and_mark_auto_without_a_rescan(scanned, tmp_path, monkeypatch, action):
    library, photos = scanned
    before = grouped(library)
    photos_before = {p.path: (p.width, p.height, p.taken_at) for p in library.photos()}
    library.mark_proposals()
    target = str(tmp_path / "moved") if action == "move" else None
    library.clean(library.plan_clean(action, target=target))
    assert grouped(library) == []
    monkeypatch.setattr(library, "embedder", no_model)
    library.undo()
    assert grouped(library) == before
    assert {p.path: (p.width, p.height, p.taken_at) for p in library.photos()} == photos_before
    assert library.mark_proposals() == (3, 4)


def test_a_rescan_after_undo_finds_nothing_new_to_embed(scanned):
    library, photos = scanned
    library.mark_proposals()
    library.clean(library.plan_clean("trash"))
    library.undo()
    summary = library.scan()
    assert (summary.added, summary.changed, summary.removed, summary.embedded) == (0, 0, 0, 0)


def test_undo_in_a_new_session_restores_the_catalog_and_the_saved_index_catches_up(scanned, tmp_path, monkeypatch):
    library, photos = scanned
    before = grouped(library)
    library.mark_proposals()
    library.clean(library.plan_clean("trash"))
    assert grouped(library) == []  # the saved index now lacks the removed files
    library.close()
    reopened = Library.open(tmp_path / "lib")
    monkeypatch.setattr(reopened, "embedder", no_model)
    reopened.undo()
    assert grouped(reopened) == before
    reopened.close()


def test_rolling_back_a_completed_crashed_batch_restores_its_rows(scanned, monkeypatch):
    library, photos = scanned
    before = grouped(library)
    library.mark_proposals()
    plan = library.plan_clean("trash")
    crash_mid_batch(library, plan, monkeypatch)
    library.recover("complete")
    assert grouped(library) == []
    library.undo()
    assert grouped(library) == before


def test_undone_hardlinks_are_two_files_again_in_duplicates_without_a_rescan(scanned):
    library, photos = scanned
    before = grouped(library)
    library.mark_proposals()
    library.clean(library.plan_clean("hardlink"))
    assert grouped(library) != before  # the linked names are one file now
    library.undo()
    assert grouped(library) == before


def test_undo_after_doctor_repair_still_brings_the_rows_back(scanned, monkeypatch):
    """The backup predates the clean-up, so the removed files' rows must be salvaged from
    the damaged catalog itself."""
    import os
    import sqlite3

    from lookalike.engine import doctor

    library, photos = scanned
    before = grouped(library)
    library.mark_proposals()
    library.clean(library.plan_clean("trash"))
    folder = library.path
    library.close()
    catalog = folder / "catalog.sqlite"
    with sqlite3.connect(catalog) as conn:   # damage only the derived vectors' table
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'embeddings'").fetchone()[0]
    with open(catalog, "r+b") as fh:
        fh.seek((root - 1) * size)
        fh.write(os.urandom(size))
    assert doctor.check(folder).catalog == "damaged"
    doctor.repair(folder)
    with Library.open(folder) as reopened:
        monkeypatch.setattr(reopened, "embedder", no_model)
        reopened.undo()
        assert grouped(reopened) == before


@pytest.mark.parametrize("next_step", ["undo", "scan"])
def test_an_undo_killed_before_the_rows_came_back_finishes_them_on_the_next_undo_or_scan(scanned, monkeypatch, next_step):
    from lookalike.engine.catalog import removed
    from lookalike.engine.errors import LookalikeError

    library, photos = scanned
    before = grouped(library)
    library.mark_proposals()
    library.clean(library.plan_clean("trash"))

    def killed(*args, **kwargs):
        raise KeyboardInterrupt("killed after the files were back, before their rows")

    with monkeypatch.context() as m:
        m.setattr(removed, "bring_back", killed)
        with pytest.raises(KeyboardInterrupt):
            library.undo()
    folder = library.path
    library.close()
    with Library.open(folder) as reopened:
        if next_step == "undo":
            monkeypatch.setattr(reopened, "embedder", no_model)
            with pytest.raises(LookalikeError, match="nothing to undo"):
                reopened.undo()
        else:
            assert reopened.scan(model="sscd").embedded == 0
        assert grouped(reopened) == before
