"""Keep-best rules: each rule decides, says why, and presets survive a round trip."""

import pytest

from lookalike.engine import Library
from lookalike.engine.dedup.keep import BUILTIN_PRESETS, copy_like, parse_rule, propose
from lookalike.engine.errors import UsageError
from lookalike.engine.results import DuplicateFile


def f(path, w=100, h=100, size=1000, fmt="JPEG", taken=None, exif=0, gps=False, fid=1):
    return DuplicateFile(fid, path, 1.0, "near", w, h, size, fmt, taken, None, exif, gps, False, "h")


def keep(files, *rules, reference=lambda p: False):
    return propose(files, [parse_rule(r) for r in rules], reference)


def test_highest_resolution_wins_and_says_so():
    p = keep([f("/a.jpg", 2016, 1512), f("/b.jpg", 4032, 3024)], "resolution")
    assert p.keeper.path == "/b.jpg" and p.reason == "kept: 4032×3024 beats 2016×1512"


def test_later_rules_only_break_ties_of_earlier_ones():
    small_big = [f("/a.jpg", 100, 100, size=5000), f("/b.jpg", 200, 200, size=10)]
    assert keep(small_big, "resolution", "file_size").keeper.path == "/b.jpg"
    assert keep(small_big, "file_size", "resolution").keeper.path == "/a.jpg"


def test_a_heic_original_beats_a_bigger_jpeg_export_by_format_preference():
    p = keep([f("/IMG.jpg", size=4_000_000, fmt="JPEG"), f("/IMG.heic", size=1_500_000, fmt="HEIF")],
             "resolution", "formats=HEIF,PNG,JPEG", "file_size")
    assert p.keeper.path == "/IMG.heic" and "HEIF is preferred over JPEG" in p.reason


def test_the_default_preset_prefers_an_original_jpeg_over_a_lossy_webp_copy():
    original, webp = f("/x.jpg", size=900_000), f("/x.webp", size=90_000, fmt="WEBP")
    assert propose([webp, original], BUILTIN_PRESETS["default"], lambda p: False).keeper is original


def test_richer_metadata_wins_gps_first():
    p = keep([f("/a.jpg", exif=40), f("/b.jpg", exif=12, gps=True)], "metadata")
    assert p.keeper.path == "/b.jpg" and "GPS" in p.reason


def test_oldest_and_newest_capture_time_and_unknown_times_lose():
    files = [f("/a.jpg", taken="2020-01-01T10:00:00"), f("/b.jpg", taken="2019-06-01T10:00:00"), f("/c.jpg")]
    assert keep(files, "oldest").keeper.path == "/b.jpg"
    assert keep(files, "newest").keeper.path == "/a.jpg"


def test_preferred_folders_in_order():
    files = [f("/photos/misc/a.jpg"), f("/photos/best/a.jpg"), f("/photos/good/a.jpg")]
    assert keep(files, "folders=/photos/best,/photos/good").keeper.path == "/photos/best/a.jpg"


def test_files_in_copy_or_backup_folders_lose_then_the_shortest_path_wins():
    assert copy_like("/p/Backup 2019/a.jpg") == "Backup 2019" and copy_like("/p/a (2).jpg") == "a (2)"
    assert copy_like("/p/holiday/a.jpg") is None
    p = keep([f("/p/backup/a.jpg"), f("/p/holiday/long name/a.jpg")], "path")
    assert p.keeper.path == "/p/holiday/long name/a.jpg" and "backup" in p.reason
    assert keep([f("/p/x/y/a.jpg"), f("/p/a.jpg")], "path").keeper.path == "/p/a.jpg"


def test_reference_files_are_kept_and_never_proposed_for_removal():
    files = [f("/ref/a.jpg", 10, 10), f("/p/a.jpg", 999, 999)]
    p = keep(files, "resolution", reference=lambda path: path.startswith("/ref/"))
    assert p.keeper.path == "/ref/a.jpg" and [x.path for x in p.remove] == ["/p/a.jpg"]


def test_unknown_rules_are_usage_errors():
    with pytest.raises(UsageError):
        parse_rule("prettiest")


def test_saved_presets_round_trip_through_the_catalog_and_built_ins_are_protected(tmp_path):
    rules = [parse_rule("formats=HEIF,JPEG"), parse_rule("file_size")]
    with Library.open(tmp_path / "lib") as library:
        library.save_preset("phone", rules)
        with pytest.raises(UsageError):
            library.save_preset("default", rules)
    with Library.open(tmp_path / "lib") as reopened:
        assert reopened.presets()["phone"] == rules
        assert set(BUILTIN_PRESETS) <= set(reopened.presets())
        reopened.delete_preset("phone")
        assert "phone" not in reopened.presets()
