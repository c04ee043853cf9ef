"""One photo is one real file: symlinks, hardlinks and links out of the library never cost a photo."""
import hashlib
import os
import shutil
import stat
from pathlib import Path


from lookalike.engine import Library
from lookalike.engine.cli import main
from helpers import photo, save


def cli(library_dir, *args) -> int:
    return main(["--library", str(library_dir), *args])


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def regular_files_below(*folders: Path) -> dict[str, str]:
    """real path -> sha256 of every regular file reachable below these folders."""
    out = {}
    for folder in folders:
        for root, _dirs, names in os.walk(folder):
            for name in names:
                path = os.path.join(root, name)
                if os.path.isfile(path):
                    out[os.path.realpath(path)] = digest(Path(path).read_bytes())
    return out


def test_a_symlink_beside_its_target_never_costs_the_photo_in_the_five_commands(
        library_dir, photos, hf_home, capsys):
    castle = save(photo(1), photos / "castle.jpg", quality=90)
    original = castle.read_bytes()
    os.symlink("castle.jpg", photos / "a.jpg")
    assert cli(library_dir, "add", str(photos)) == 0
    assert cli(library_dir, "scan", "--model", "phash") == 0
    cli(library_dir, "mark", "--auto")
    cli(library_dir, "clean", "--hardlink", "--yes")
    info = os.lstat(castle)
    assert stat.S_ISREG(info.st_mode) and castle.read_bytes() == original
    assert (photos / "a.jpg").read_bytes() == original  # the link still leads to the photo


def test_a_symlinked_file_is_not_a_second_photo_of_its_target(library_dir, photos, hf_home):
    save(photo(1), photos / "castle.jpg")
    os.symlink(photos / "castle.jpg", photos / "a.jpg")
    with Library.open(library_dir) as lib:
        lib.add_folder(photos)
        summary = lib.scan(model="phash")
        assert [os.path.basename(r.path) for r in lib.catalog.all_files()] == ["castle.jpg"]
        assert summary.errors == []   # nothing to report: the photo is listed, once
        assert lib.duplicates(tier="near", model="phash") == []


def test_a_reference_alias_and_a_symlinked_keeper_leave_every_picture_in_the_library(
        library_dir, tmp_path, photos, hf_home, capsys):
    refs = tmp_path / "refs"
    save(photo(1), refs / "r.png")
    shutil.copy(refs / "r.png", photos / "r copy.png")
    os.symlink(refs, photos / "alias")                        # a folder alias of the reference
    save(photo(2), photos / "shots" / "castle.png")
    shutil.copy(photos / "shots" / "castle.png", photos / "shots" / "castle (2).png")
    os.symlink(photos / "shots" / "castle.png", photos / "c.png")  # shorter path: the old keeper
    pictures = {digest((refs / "r.png").read_bytes()), digest((photos / "shots" / "castle.png").read_bytes())}
    assert cli(library_dir, "add", str(photos)) == 0
    assert cli(library_dir, "add", "--reference", str(refs)) == 0
    assert cli(library_dir, "scan", "--model", "phash") == 0
    assert cli(library_dir, "mark", "--auto") == 0
    cli(library_dir, "clean", "--trash", "--yes")
    left = regular_files_below(photos, refs)
    assert pictures <= set(left.values())
    assert (refs / "r.png").is_file() and (photos / "c.png").is_file()  # the link still leads somewhere


def test_links_out_of_the_librarys_folders_are_not_followed_by_default(library_dir, tmp_path, photos, hf_home):
    outside = tmp_path / "elsewhere"
    save(photo(3), outside / "o.png")
    save(photo(4), photos / "a.png")
    os.symlink(outside, photos / "backup")
    os.symlink(outside / "o.png", photos / "o.png")
    with Library.open(library_dir) as lib:
        lib.add_folder(photos)
        summary = lib.scan(model="phash")
        assert [os.path.basename(r.path) for r in lib.catalog.all_files()] == ["a.png"]
        reasons = {os.path.basename(p): r for p, r in summary.errors}
        assert "outside the library's folders" in reasons["backup"]
        assert "outside the library's folders" in reasons["o.png"]


def test_followed_links_out_of_the_library_are_never_cleaned_nor_kept_in_place_of_a_library_copy(
        library_dir, tmp_path, photos, hf_home):
    outside = tmp_path / "elsewhere"
    save(photo(3), outside / "o.png")
    shutil.copy(outside / "o.png", photos / "o copy.png")     # the library's only copy
    save(photo(4), outside / "p.png")
    os.symlink(outside, photos / "b")
    with Library.open(library_dir) as lib:
        lib.settings.follow_external_links = True
        lib.add_folder(photos)
        lib.scan(model="phash")
        assert len(lib.catalog.all_files()) == 3
        lib.mark_proposals()
        assert "remove" not in lib.marks().values()   # the library's copy is kept, the outside one left
        # Whatever the marks say, a file whose real path is outside is never touched, and the
        # library's only copy is not given up for it.
        linked, copy = (lib.catalog.file_by_path(str(p)) for p in (photos / "b" / "o.png", photos / "o copy.png"))
        lib.set_marks([(linked.id, "remove"), (copy.id, "keep")])
        forced = lib.plan_clean("trash")
        assert forced.items == [] and "outside the library's folders" in dict(forced.skipped)[linked.path]
        lib.set_marks([(linked.id, "keep"), (copy.id, "remove")])
        forced = lib.plan_clean("trash")
        assert forced.items == [] and "last file" in dict(forced.skipped)[copy.path]
    assert (outside / "o.png").is_file() and (outside / "p.png").is_file()
    assert (photos / "o copy.png").is_file()


def test_hardlinked_names_are_one_photo_never_offered_against_each_other(library_dir, photos, hf_home):
    save(photo(1), photos / "a.png")
    os.link(photos / "a.png", photos / "b.png")
    with Library.open(library_dir) as lib:
        lib.add_folder(photos)
        lib.scan(model="phash")
        assert lib.duplicates(tier="near", model="phash") == []
        assert lib.duplicates(tier="exact") == []


def test_a_hardlinked_photo_shows_its_other_names_and_counts_its_bytes_once(library_dir, photos, hf_home):
    save(photo(1), photos / "a.png")
    os.link(photos / "a.png", photos / "b.png")
    shutil.copy(photos / "a.png", photos / "copy of a.png")
    size = (photos / "a.png").stat().st_size
    with Library.open(library_dir) as lib:
        lib.add_folder(photos)
        lib.scan(model="phash")
        for tier in ("exact", "near"):
            [group] = lib.duplicates(tier=tier, model="phash")
            assert len(group.files) == 2 and group.reclaimable_bytes == size
            linked = next(f for f in group.files if f.other_names)
            assert {os.path.basename(linked.path), *map(os.path.basename, linked.other_names)} == {"a.png", "b.png"}
            assert "other_names" in group.to_dict()["files"][0]
        # Removing the linked photo removes every name of it, so the space is really freed.
        lib.mark([photos / "copy of a.png"], "keep")
        lib.mark([linked.path], "remove")
        plan = lib.plan_clean("trash")
        assert sorted(os.path.basename(i.path) for i in plan.items) == ["a.png", "b.png"]
        assert plan.bytes_freed == size
        lib.clean(plan)
    assert not (photos / "a.png").exists() and not (photos / "b.png").exists()
    assert (photos / "copy of a.png").is_file()


def _byte_copies(lib, photos):
    save(photo(1), photos / "castle.png")
    shutil.copy(photos / "castle.png", photos / "b.png")
    lib.add_folder(photos)
    lib.scan(model="phash")
    lib.mark_proposals()
    assert lib.marks()[lib.catalog.file_by_path(str(photos / "b.png")).id] == "keep"


def test_a_keeper_overwritten_after_the_scan_stops_the_trash(library_dir, photos, hf_home):
    with Library.open(library_dir) as lib:
        _byte_copies(lib, photos)
        plan = lib.plan_clean("trash")
        save(photo(7), photos / "b.png")   # the proposed keeper is now another picture
        report = lib.clean(plan)
    assert report.done == [] and (photos / "castle.png").is_file()
    assert "kept file" in report.skipped[0][1]


def test_a_keeper_gone_after_the_scan_stops_a_move(library_dir, tmp_path, photos, hf_home):
    with Library.open(library_dir) as lib:
        _byte_copies(lib, photos)
        plan = lib.plan_clean("move", target=tmp_path / "moved")
        os.unlink(photos / "b.png")
        report = lib.clean(plan)
    assert report.done == [] and (photos / "castle.png").is_file()


def test_hardlinking_onto_a_keeper_that_became_a_symlink_is_refused(library_dir, photos, hf_home):
    with Library.open(library_dir) as lib:
        _byte_copies(lib, photos)
        plan = lib.plan_clean("hardlink")
        os.unlink(photos / "b.png")
        os.symlink(photos / "castle.png", photos / "b.png")
        report = lib.clean(plan)
    assert report.done == []
    assert stat.S_ISREG(os.lstat(photos / "castle.png").st_mode)
    assert (photos / "castle.png").read_bytes() == (photos / "b.png").read_bytes()


def test_hardlinking_two_names_of_one_file_is_refused(library_dir, photos, hf_home):
    with Library.open(library_dir) as lib:
        _byte_copies(lib, photos)
        plan = lib.plan_clean("hardlink")
        os.unlink(photos / "castle.png")
        os.link(photos / "b.png", photos / "castle.png")
        report = lib.clean(plan)
    assert report.done == [] and "same file" in report.skipped[0][1]
    assert sorted(os.listdir(photos)) == ["b.png", "castle.png"]  # no stray temporary link


def test_a_decode_failure_of_one_file_is_not_copied_to_its_byte_identical_twin(
        library_dir, photos, hf_home, monkeypatch):
    save(photo(1), photos / "a.png")
    shutil.copy(photos / "a.png", photos / "b.png")
    from lookalike.engine.scanning import scan as scan_module
    from lookalike.engine.scanning.decode import DecodeError

    real_decode = scan_module.decode

    def flaky(path, **kw):
        if os.path.basename(path) == "a.png":
            raise DecodeError("permission denied")
        return real_decode(path, **kw)

    with Library.open(library_dir) as lib:
        lib.add_folder(photos)
        monkeypatch.setattr(scan_module, "decode", flaky)
        first = lib.scan(model="phash")
        errors = {os.path.basename(r.path): r.error for r in lib.catalog.all_files()}
        assert errors == {"a.png": "permission denied", "b.png": None} and first.failed == 1
        monkeypatch.setattr(scan_module, "decode", real_decode)
        lib.scan(model="phash")   # the next scan tries the failed file again
        errors = {os.path.basename(r.path): r.error for r in lib.catalog.all_files()}
        assert errors == {"a.png": None, "b.png": None}
        assert len(lib.catalog.embedded_ids("phash")) == 2


def test_the_duplicates_listing_names_the_other_names_of_a_hardlinked_photo(library_dir, photos, hf_home, capsys):
    save(photo(1), photos / "a.png")
    os.link(photos / "a.png", photos / "b.png")
    shutil.copy(photos / "a.png", photos / "c.png")
    cli(library_dir, "add", str(photos))
    cli(library_dir, "scan", "--model", "phash")
    capsys.readouterr()
    assert cli(library_dir, "duplicates", "--tier", "exact") == 0
    out = capsys.readouterr().out
    assert "2 files" in out and f"also named {photos / 'b.png'}" in out


def test_a_name_reached_through_a_symlinked_folder_is_never_removed_nor_kept_for_its_real_file(tmp_path):
    """Catalogs written before links were skipped can still hold such aliases."""
    from lookalike.engine.actions import cleanup as actions
    from lookalike.engine.results import DuplicateFile, DuplicateGroup

    library = tmp_path / "lib"
    real = save(photo(1), library / "real" / "x.png")
    os.symlink(library / "real", library / "alias")
    size = real.stat().st_size

    def entry(file_id, path):
        return DuplicateFile(file_id, str(path), 1.0, "exact", 320, 240, size, "PNG", None, None,
                             content_hash="h")

    real_f, alias_f = entry(1, real), entry(2, library / "alias" / "x.png")
    group = DuplicateGroup("exact", (real_f, alias_f))
    for marks in ({1: "remove", 2: "keep"}, {1: "keep", 2: "remove"}):
        plan = actions.plan([group], marks, {0: alias_f}, "trash", None, [str(library)])
        assert plan.items == []
    assert real.is_file()


def test_after_a_hardlink_clean_up_the_linked_names_are_one_photo_without_a_rescan(library_dir, photos, hf_home):
    with Library.open(library_dir) as lib:
        _byte_copies(lib, photos)
        report = lib.clean(lib.plan_clean("hardlink"))
        assert report.done == [str(photos / "castle.png")]
        assert os.path.samefile(photos / "castle.png", photos / "b.png")
        assert lib.duplicates(tier="exact") == []
        assert lib.scan(model="phash").changed == 0


def test_a_watched_change_seen_through_a_symlinked_folder_adds_no_second_photo(library_dir, photos, hf_home):
    save(photo(1), photos / "real" / "a.png")
    os.symlink(photos / "real", photos / "alias")
    with Library.open(library_dir) as lib:
        lib.add_folder(photos)
        lib.scan(model="phash")
        save(photo(2), photos / "real" / "b.png")
        lib.scan(model="phash", changed=[str(photos / "alias" / "b.png")])
        lib.scan(model="phash", changed=[str(photos / "real" / "b.png")])
        assert sorted(os.path.relpath(r.path, photos) for r in lib.catalog.all_files()) == ["real/a.png", "real/b.png"]
