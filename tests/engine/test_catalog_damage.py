"""A damaged, emptied or vanished catalog: one sentence, backups, and `doctor --repair`."""
import json
import os
import stat
import subprocess
import sys

import pytest

from .damage_helpers import garble, populated
from lookalike.engine.catalog.tags import TagStore
from lookalike.engine.catalog.backup import backups
from lookalike.engine.cli import main
from lookalike.engine.errors import CatalogError
from lookalike.engine.library import Library
from lookalike.engine.settings import Settings


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def one_sentence(err: str) -> str:
    assert "Traceback" not in err
    assert err.count("\n") == 1, err
    return err


def test_garbage_in_the_catalog_gives_one_sentence_naming_it_and_the_repair_command(capsys, library_dir, photos):
    populated(library_dir, photos)
    catalog = library_dir / "catalog.sqlite"
    garble(catalog)
    for command in (["folders"], ["history"], ["duplicates", "--tier", "exact"]):
        code, out, err = run(capsys, "--library", str(library_dir), *command)
        assert code == 1 and out == ""
        assert str(catalog) in one_sentence(err) and "`lookalike doctor --repair`" in err


def test_garbage_over_the_catalog_header_gives_the_same_sentence(capsys, library_dir, photos):
    populated(library_dir, photos)
    garble(library_dir / "catalog.sqlite", first_page=True)
    code, _, err = run(capsys, "--library", str(library_dir), "folders")
    assert code == 1 and "is damaged" in one_sentence(err) and "doctor --repair" in err


def test_doctor_repair_brings_back_folders_marks_presets_tags_and_the_journal(capsys, library_dir, photos):
    kept = populated(library_dir, photos)
    with Library.open(library_dir) as lib:
        lib.ledger.save_preset("after the backup", [{"rule": "newest"}])
    catalog = library_dir / "catalog.sqlite"
    garble(catalog, share=0.5)
    damaged_bytes = catalog.read_bytes()
    code, out, _ = run(capsys, "--library", str(library_dir), "doctor", "--json")
    assert code == 1 and json.loads(out)["catalog"] == "damaged"

    code, out, err = run(capsys, "--library", str(library_dir), "--model-dir", str(photos), "doctor", "--repair", "--json")
    report = json.loads(out)
    assert code == 0 and report["catalog"] == "ok" and "Traceback" not in err
    assert any("lookalike scan" in note for note in report["notes"])  # no model here to rescan
    aside = [p for p in library_dir.iterdir() if p.name.startswith("catalog-damaged-") and p.suffix == ".sqlite"]
    assert len(aside) == 1 and aside[0].read_bytes() == damaged_bytes
    with Library.open(library_dir) as lib:
        assert sorted(f.path for f in lib.catalog.folders()) == kept["folders"]
        assert lib.reference_folders() == [kept["folders"][1]]
        assert lib.ledger.marks() == kept["marks"]
        assert set(lib.ledger.presets()) == {"mine", "after the backup"}
        tags = TagStore(lib.catalog.engine)
        names = {t.name for t in tags.all()}
        assert "holidays" in names and "pets" in names and "receipts" not in names
        assert len(tags.examples(tags.get("holidays").id)[tags.get("holidays").id]) == 3
        assert [b.id for b in lib.ledger.batches(["done"])] == [kept["batch"]]
        assert len(lib.ledger.entries(kept["batch"])) == 216
        assert lib.catalog.check() == "ok"
    code, out, err = run(capsys, "--library", str(library_dir), "history")
    assert code == 0 and err == "" and "216" in out


@pytest.mark.parametrize("damage", ["emptied", "deleted"])
def test_a_catalog_that_vanished_is_reported_not_silently_recreated(capsys, library_dir, photos, damage):
    kept = populated(library_dir, photos)
    catalog = library_dir / "catalog.sqlite"
    if damage == "emptied":
        catalog.write_bytes(b"")
    else:
        catalog.unlink()
    code, out, err = run(capsys, "--library", str(library_dir), "folders")
    assert code == 1 and out == ""
    assert str(catalog) in one_sentence(err) and "doctor --repair" in err
    assert not catalog.exists() or catalog.stat().st_size == 0
    code, _, _ = run(capsys, "--library", str(library_dir), "doctor", "--repair")
    assert code == 0
    with Library.open(library_dir) as lib:
        assert sorted(f.path for f in lib.catalog.folders()) == kept["folders"]
        assert lib.ledger.marks() == kept["marks"] and "mine" in lib.ledger.presets()
        assert len(lib.ledger.entries(kept["batch"])) == 216


def test_backups_are_checked_copies_and_only_the_newest_five_are_kept(library_dir, photos):
    populated(library_dir, photos)
    with Library.open(library_dir) as lib:
        for _ in range(7):
            lib.backup_catalog("before clean-up")
    found = backups(library_dir)
    assert len(found) == 5
    newest = found[0]
    import sqlite3
    with sqlite3.connect(newest) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM presets").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM journal").fetchone()[0] == 216


def test_a_damaged_catalog_stops_a_clean_up_before_any_file_is_touched(library_dir, photos):
    populated(library_dir, photos)
    garble(library_dir / "catalog.sqlite", share=0.5)
    with Library.open(library_dir) as lib:
        before = len(backups(library_dir))
        with pytest.raises(CatalogError, match="doctor --repair"):
            lib.backup_catalog("before clean-up")
        assert len(backups(library_dir)) == before


def test_after_an_unclean_shutdown_a_quick_check_reports_damage(library_dir, photos):
    populated(library_dir, photos)
    garble(library_dir / "catalog.sqlite", share=0.3)
    with Library.open(library_dir):
        pass  # a clean shutdown: no check at open, the damage stays unseen until touched
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    (library_dir / f".catalog-open-{dead}-0000").touch()
    with pytest.raises(CatalogError, match="is damaged .*doctor --repair"):
        Library.open(library_dir)


def test_the_library_folder_catalog_backups_and_settings_are_private(library_dir, photos):
    library_dir.mkdir(mode=0o755)
    os.chmod(library_dir, 0o755)
    with Library.open(library_dir) as lib:
        lib.add_folder(photos)
        lib.save_settings()
        lib.backup_catalog("before clean-up")
        wal = library_dir / "catalog.sqlite-wal"
        assert wal.exists() and stat.S_IMODE(wal.stat().st_mode) == 0o600
    assert stat.S_IMODE(library_dir.stat().st_mode) == 0o700
    for path in [library_dir / "catalog.sqlite", library_dir / "settings.json", *backups(library_dir)]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE((library_dir / "backups").stat().st_mode) == 0o700


def test_settings_keep_keys_they_do_not_know_and_round_trip_unchanged(library_dir):
    library_dir.mkdir()
    written = {"schema_version": 1, "model": "sscd", "thresholds": {"sscd": {"near": 0.5, "similar": 0.25}},
               "a_later_option": {"x": [1, 2]}, "device": "cpu"}
    (library_dir / "settings.json").write_text(json.dumps(written))
    settings = Settings.load(library_dir)
    settings.save(library_dir)
    saved = json.loads((library_dir / "settings.json").read_text())
    assert saved["a_later_option"] == {"x": [1, 2]}
    assert {k: saved[k] for k in written} == written
    Settings.load(library_dir).save(library_dir)
    assert json.loads((library_dir / "settings.json").read_text()) == saved


def test_settings_from_a_newer_version_are_preserved_not_downgraded(library_dir):
    library_dir.mkdir()
    written = {"schema_version": 7, "model": "sscd", "new_feature": True}
    (library_dir / "settings.json").write_text(json.dumps(written))
    settings = Settings.load(library_dir)
    settings.device = "cpu"
    settings.save(library_dir)
    saved = json.loads((library_dir / "settings.json").read_text())
    assert saved["schema_version"] == 7 and saved["new_feature"] is True and saved["device"] == "cpu"


def test_doctor_repair_does_not_rebuild_under_a_program_that_is_writing(capsys, library_dir, photos, monkeypatch):
    from lookalike.engine.lock import WriterLock

    populated(library_dir, photos)
    catalog = library_dir / "catalog.sqlite"
    garble(catalog, share=0.5)
    damaged_bytes = catalog.read_bytes()
    monkeypatch.setenv("LOOKALIKE_LOCK_TIMEOUT", "0.5")
    with WriterLock(library_dir).hold():   # another writer, as a second process would be
        code, out, err = run(capsys, "--library", str(library_dir), "doctor", "--repair")
    assert code == 1 and out == "" and "in use by" in one_sentence(err.splitlines()[-1] + "\n")
    assert catalog.read_bytes() == damaged_bytes
    assert not [p for p in library_dir.iterdir() if p.name.startswith("catalog-damaged-")]


def test_the_daily_backup_can_wait_for_a_background_job(library_dir, photos):
    with Library.open(library_dir) as lib:
        lib.add_folder(photos)
    for old in backups(library_dir):
        old.unlink()
    with Library.open(library_dir, backup=False) as lib:
        assert backups(library_dir) == []      # opening took none: the app opens at once
        lib.back_up_if_due()
        assert len(backups(library_dir)) == 1
        lib.back_up_if_due()                   # one a day
        assert len(backups(library_dir)) == 1
