"""Scanning is incremental, recognises moves, and survives every kind of bad file."""
import os
import shutil
import struct
import zlib

import pytest

from lookalike.engine import CancelToken, JobCancelled, Library
from helpers import photo, save


@pytest.fixture()
def lib(library_dir, model_dir, hf_home):
    library = Library.open(library_dir, model_dir=str(model_dir))
    yield library
    library.close()


def scan(lib, model="phash", **kw):
    return lib.scan(model=model, **kw)


def rescan(lib, **kw):
    """A scan without --model: the library's remembered model."""
    return lib.scan(**kw)


def test_first_scan_catalogs_and_embeds_every_photo_with_its_metadata(lib, photos):
    save(photo(1), photos / "a.jpg", quality=90)
    save(photo(2, size=(200, 300)), photos / "sub" / "b.png")
    lib.add_folder(photos)
    summary = scan(lib, "dinov2-small")
    assert (summary.added, summary.embedded, summary.failed) == (2, 2, 0)
    records = {os.path.basename(r.path): r for r in lib.catalog.all_files()}
    assert (records["a.jpg"].width, records["a.jpg"].height, records["a.jpg"].format) == (320, 240, "JPEG")
    assert (records["b.png"].width, records["b.png"].height) == (200, 300)
    assert lib.catalog.embedding_state("dinov2-small", 32)[0] == 2
    assert lib.catalog.embedding_state("clip-b32", 16)[0] == 2  # text search comes along


def test_a_second_scan_of_an_unchanged_folder_reads_and_embeds_nothing(lib, photos):
    for i in range(3):
        save(photo(i), photos / f"{i}.jpg")
    lib.add_folder(photos)
    scan(lib, "dinov2-small")
    again = rescan(lib)  # the library remembers the model of its last scan
    assert lib.settings.model == "dinov2-small"
    assert (again.added, again.changed, again.embedded, again.unchanged) == (0, 0, 0, 3)


def test_a_renamed_or_moved_photo_keeps_its_id_and_vectors(lib, photos):
    save(photo(1), photos / "a.jpg")
    save(photo(2), photos / "b.jpg")
    lib.add_folder(photos)
    scan(lib, "dinov2-small")
    before = lib.catalog.file_by_path(str(photos / "a.jpg"))
    vector = lib.catalog.embedding(before.id, "dinov2-small")
    (photos / "deeper").mkdir()
    os.rename(photos / "a.jpg", photos / "deeper" / "renamed a.jpg")
    summary = rescan(lib)
    assert (summary.moved, summary.embedded, summary.added, summary.removed) == (1, 0, 0, 0)
    after = lib.catalog.file_by_path(str(photos / "deeper" / "renamed a.jpg"))
    assert after.id == before.id
    assert (lib.catalog.embedding(after.id, "dinov2-small") == vector).all()


def test_an_edited_photo_is_rehashed_and_embedded_again(lib, photos):
    path = save(photo(1), photos / "a.jpg")
    lib.add_folder(photos)
    scan(lib)
    old = lib.catalog.file_by_path(str(path))
    save(photo(9, size=(100, 80)), path)
    os.utime(path, ns=(old.mtime_ns + 5_000_000_000, old.mtime_ns + 5_000_000_000))
    summary = scan(lib)
    assert (summary.changed, summary.embedded) == (1, 1)
    new = lib.catalog.file_by_path(str(path))
    assert new.id == old.id and new.content_hash != old.content_hash and new.width == 100


def test_touching_a_file_without_changing_its_bytes_costs_no_embedding(lib, photos):
    path = save(photo(1), photos / "a.jpg")
    lib.add_folder(photos)
    scan(lib)
    os.utime(path, ns=(1, 1))
    summary = scan(lib)
    assert (summary.changed, summary.embedded, summary.unchanged) == (0, 0, 1)


def test_deleted_photos_leave_the_catalog_and_the_index(lib, photos):
    save(photo(1), photos / "a.jpg")
    save(photo(2), photos / "b.jpg")
    lib.add_folder(photos)
    scan(lib)
    (photos / "a.jpg").unlink()
    summary = scan(lib)
    assert summary.removed == 1
    assert [os.path.basename(r.path) for r in lib.catalog.all_files()] == ["b.jpg"]
    assert [os.path.basename(r.path) for r in lib.similar(photos / "b.jpg", limit=5)] == []


def test_an_exact_copy_borrows_the_originals_vectors_instead_of_being_embedded(lib, photos):
    save(photo(1), photos / "a.jpg")
    lib.add_folder(photos)
    scan(lib, "dinov2-small")
    shutil.copy(photos / "a.jpg", photos / "copy of a.jpg")
    summary = rescan(lib)
    assert (summary.added, summary.embedded) == (1, 0)
    copy = lib.catalog.file_by_path(str(photos / "copy of a.jpg"))
    assert copy.width == 320 and lib.catalog.embedding(copy.id, "dinov2-small") is not None


def test_an_unplugged_folder_does_not_erase_what_the_catalog_knows(lib, photos, tmp_path):
    save(photo(1), photos / "a.jpg")
    lib.add_folder(photos)
    scan(lib)
    shutil.move(str(photos), str(tmp_path / "elsewhere"))
    summary = scan(lib)
    assert summary.removed == 0 and len(lib.catalog.all_files()) == 1
    assert any("not reachable" in reason for _, reason in summary.errors)


def png_header_claiming(width, height) -> bytes:
    """A PNG whose header claims a huge canvas: the classic decompression bomb."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def test_bad_files_are_recorded_with_a_reason_and_the_scan_goes_on(lib, photos):
    save(photo(1), photos / "good.jpg")
    (photos / "empty.jpg").write_bytes(b"")
    (photos / "garbage.png").write_bytes(os.urandom(2048))
    full = save(photo(2, size=(640, 480)), photos / "whole.jpg", quality=95).read_bytes()
    (photos / "truncated.jpg").write_bytes(full[: len(full) // 3])
    (photos / "bomb.png").write_bytes(png_header_claiming(30000, 30000))
    (photos / "notes.txt").write_text("not an image, not a candidate")
    lib.add_folder(photos)
    summary = scan(lib)
    reasons = {os.path.basename(p): r for p, r in summary.errors}
    assert summary.failed == 4 and summary.added == 6  # bad files are cataloged, with reasons
    assert reasons["empty.jpg"] == "empty file (0 bytes)"
    assert "not a readable image" in reasons["garbage.png"]
    assert "truncated" in reasons["truncated.jpg"]
    assert "decompression bomb" in reasons["bomb.png"]
    stored = {os.path.basename(r.path): r.error for r in lib.catalog.all_files()}
    assert stored["good.jpg"] is None and stored["bomb.png"] == reasons["bomb.png"]
    assert [(f.files, f.unreadable) for f in lib.folders()] == [(6, 4)]   # what the Folders page counts
    assert scan(lib).failed == 0  # recorded once; unchanged bad files are not retried


def test_symlink_loops_are_skipped_with_a_reason(lib, photos):
    save(photo(1), photos / "a.jpg")
    os.symlink(photos, photos / "loop")
    os.symlink(photos / "self.jpg", photos / "self.jpg")
    lib.add_folder(photos)
    summary = scan(lib)
    reasons = dict((os.path.basename(p), r) for p, r in summary.errors)
    assert "loop" in reasons["loop"] and "loop" in reasons["self.jpg"]
    assert summary.added == 1


def test_hidden_folders_and_the_librarys_own_data_are_not_scanned(tmp_path, model_dir):
    photos = tmp_path / "photos"
    save(photo(1), photos / "a.jpg")
    save(photo(2), photos / ".thumbnails" / "t.jpg")
    save(photo(3), photos / "@eaDir" / "x.jpg")
    library = Library.open(photos / "lib-inside", model_dir=str(model_dir))
    save(photo(4), library.path / "thumbs" / "cached.jpg")
    library.add_folder(photos)
    library.scan(model="phash")
    assert [os.path.basename(r.path) for r in library.catalog.all_files()] == ["a.jpg"]
    library.close()


def test_names_that_are_not_valid_utf8_are_scanned_and_reported(lib, photos):
    name = os.fsdecode(b"\xff\xfeold camera.jpg")
    save(photo(1), photos / name)
    lib.add_folder(photos)
    assert scan(lib).added == 1
    assert lib.catalog.all_files()[0].path == str(photos / name)


def test_a_file_that_vanishes_mid_scan_is_reported_and_not_kept(lib, photos, monkeypatch):
    save(photo(1), photos / "stays.jpg")
    doomed = save(photo(2), photos / "doomed.jpg")
    lib.add_folder(photos)
    from lookalike.engine.scanning import scan as scan_module

    real_hash = scan_module.content_hash

    def vanishing(path):
        if path == str(doomed):
            doomed.unlink()
        return real_hash(path)

    monkeypatch.setattr(scan_module, "content_hash", vanishing)
    summary = scan(lib)
    assert ("vanished during the scan" in dict(summary.errors)[str(doomed)])
    assert [os.path.basename(r.path) for r in lib.catalog.all_files()] == ["stays.jpg"]


def test_cancel_mid_scan_leaves_a_catalog_that_reopens_and_finishes(library_dir, model_dir, photos):
    for i in range(12):
        save(photo(i), photos / f"{i:02}.jpg")
    library = Library.open(library_dir, model_dir=str(model_dir))
    library.add_folder(photos)
    token = CancelToken()
    model = library.embedder("dinov2-small")
    model.batch_size = 4
    real_embed = model.embed

    def embed_then_cancel(batch):
        token.cancel()  # the user presses Cancel while the first batch is being embedded
        return real_embed(batch)

    model.embed = embed_then_cancel
    with pytest.raises(JobCancelled):
        library.scan(model="dinov2-small", cancel=token)
    library.close()
    reopened = Library.open(library_dir, model_dir=str(model_dir))
    assert reopened.catalog.check() == "ok"
    assert len(reopened.catalog.all_files()) == 12
    partly = reopened.catalog.embedding_state("dinov2-small", 32)[0]
    assert 0 < partly < 12  # the batches embedded before Cancel were kept
    summary = reopened.scan(model="dinov2-small")
    assert summary.added == 0
    assert reopened.catalog.embedding_state("dinov2-small", 32)[0] == 12
    reopened.close()


def test_heic_webp_avif_gif_tiff_and_bmp_photos_are_read_like_jpegs(lib, photos):
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    save(photo(1), photos / "phone.heic", quality=80)
    save(photo(1), photos / "web.webp", quality=80)
    save(photo(1).convert("P"), photos / "anim.gif")
    save(photo(1), photos / "scan.tiff")
    save(photo(1), photos / "old.bmp")
    from PIL import features

    if features.check("avif"):
        save(photo(1), photos / "new.avif", quality=70)
    lib.add_folder(photos)
    summary = scan(lib)
    assert summary.failed == 0
    formats = sorted(r.format for r in lib.catalog.all_files())
    expected = ["BMP", "GIF", "HEIF", "TIFF", "WEBP"] + (["AVIF"] if features.check("avif") else [])
    assert formats == sorted(expected)


def test_exif_orientation_is_applied_and_capture_details_are_kept(lib, photos):
    from PIL import Image

    img = photo(1, size=(300, 200))
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways, shown rotated 90 degrees
    exif[0x010F], exif[0x0110] = "Canon", "Canon EOS 5D"
    exif.get_ifd(0x8769)[0x9003] = "2021:07:04 18:30:00"
    save(img, photos / "rotated.jpg", exif=exif)
    lib.add_folder(photos)
    scan(lib)
    record = lib.catalog.all_files()[0]
    assert (record.width, record.height) == (200, 300)
    assert record.taken_at == "2021-07-04T18:30:00" and record.camera == "Canon EOS 5D"
