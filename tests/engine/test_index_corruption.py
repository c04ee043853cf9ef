"""A damaged index file is derived data gone bad: it is rebuilt from the catalog or reported,
and no group or removal proposal ever comes from its bytes (issue 10)."""
import json
import shutil

import numpy as np
import pytest

from lookalike.engine import Library
from lookalike.engine.catalog.store import Catalog
from lookalike.engine.cli import main
from lookalike.engine.errors import LookalikeError
from lookalike.engine.index import vectors
from lookalike.engine.index.sync import index_path, synced_index
from helpers import photo, save

MODEL = "phash"


@pytest.fixture()
def pictures(photos):
    """Four copies of one picture (a PNG, a byte copy, two JPEG re-encodings) and three
    unrelated pictures; the largest unrelated one would be any keep rule's favourite."""
    save(photo(1, size=(400, 300)), photos / "castle.png")
    shutil.copy(photos / "castle.png", photos / "castle copy.png")
    save(photo(1, size=(400, 300)), photos / "castle.jpg", quality=92)
    save(photo(1, size=(400, 300)).resize((200, 150)), photos / "castle small.jpg", quality=80)
    save(photo(2, size=(1600, 1200)), photos / "beach.png")
    save(photo(3, size=(400, 300)), photos / "forest.png")
    save(photo(4, size=(400, 300)), photos / "kite.png")
    return photos


def grouped(library):
    return sorted(sorted((f.path for f in g.files)) for g in library.duplicates(tier="near", model=MODEL))


@pytest.fixture()
def scanned(library_dir, pictures):
    with Library.open(library_dir) as library:
        library.add_folder(pictures)
        library.scan(model=MODEL)
        clean_groups = grouped(library)
    assert clean_groups, "the copies of castle form a group in a healthy library"
    return clean_groups


def ids_by_name(library_dir):
    catalog = Catalog(library_dir)
    try:
        return {r.path.rsplit("/", 1)[1]: r.id for r in catalog.all_files()}, catalog
    except BaseException:
        catalog.close()
        raise


def overwrite_vector(library_dir, victim: str, replacement_of: str, scale: float) -> None:
    """Writes `scale` times the catalog vector of `replacement_of` over the bytes of `victim`'s
    vector inside the saved FAISS file: what random bytes in the vector data can amount to."""
    names, catalog = ids_by_name(library_dir)
    try:
        victim_vec = catalog.embedding(names[victim], MODEL)
        source_vec = catalog.embedding(names[replacement_of], MODEL)
    finally:
        catalog.close()
    path = index_path(library_dir, MODEL)
    data = bytearray(path.read_bytes())
    at = data.find(victim_vec.tobytes())
    assert at > 0, "the victim's vector is stored verbatim in the index file"
    data[at:at + victim_vec.nbytes] = (source_vec * np.float32(scale)).astype(np.float32).tobytes()
    path.write_bytes(bytes(data))


def test_random_bytes_in_the_index_vectors_change_no_group(library_dir, scanned):
    path = index_path(library_dir, MODEL)
    data = bytearray(path.read_bytes())
    names, catalog = ids_by_name(library_dir)
    try:
        first = catalog.embedding(min(names.values()), MODEL)
    finally:
        catalog.close()
    start = data.find(first.tobytes())
    assert start > 0
    rng = np.random.default_rng(7)
    span = first.nbytes * len(names)
    data[start:start + span] = rng.integers(0, 256, span, dtype=np.uint8).tobytes()
    path.write_bytes(bytes(data))
    with Library.open(library_dir) as library:
        assert grouped(library) == scanned


def test_a_damaged_vector_that_scores_far_above_one_joins_no_group(library_dir, scanned):
    overwrite_vector(library_dir, "beach.png", "castle.png", 1e18)
    with Library.open(library_dir) as library:
        assert grouped(library) == scanned


def test_an_index_file_whose_bytes_do_not_match_its_checksum_is_not_loaded(library_dir, scanned):
    overwrite_vector(library_dir, "beach.png", "castle.png", 1.0)
    assert vectors.VectorIndex.load(index_path(library_dir, MODEL)) is None


def test_an_index_in_the_older_format_without_a_checksum_is_rebuilt(library_dir, scanned):
    path = index_path(library_dir, MODEL)
    data = path.read_bytes()
    assert data.startswith(vectors.MAGIC) and vectors.MAGIC != b"LKIDX1\n"
    path.write_bytes(b"LKIDX1\n" + data[len(vectors.MAGIC):])
    assert vectors.VectorIndex.load(path) is None
    with Library.open(library_dir) as library:
        assert grouped(library) == scanned
    assert vectors.VectorIndex.load(path) is not None   # the rebuild saved the new format


def resaved_with(library_dir, victim: str, replacement_of: str, scale: float) -> None:
    """An index saved with a valid checksum whose vector for `victim` is wrong, as a bug in
    the catch-up code (not the disk) would write it."""
    names, catalog = ids_by_name(library_dir)
    try:
        index = vectors.VectorIndex.load(index_path(library_dir, MODEL))
        ids = index.ids()
        stored = index.stored_vectors().copy()
        stored[list(ids).index(names[victim])] = catalog.embedding(names[replacement_of], MODEL) * scale
        bad = vectors.VectorIndex(MODEL, index.dim)
        bad.add(ids, stored, index.max_seq)
        bad.save(index_path(library_dir, MODEL))
    finally:
        catalog.close()


def test_scores_outside_minus_one_to_one_mean_a_rebuild_even_with_a_valid_checksum(library_dir, scanned):
    resaved_with(library_dir, "beach.png", "castle.png", 1e6)
    with Library.open(library_dir) as library:
        assert grouped(library) == scanned
    assert vectors.VectorIndex.load(index_path(library_dir, MODEL)).pairs(2.0) == []


def test_an_index_query_with_impossible_scores_raises_index_corrupt():
    index = vectors.VectorIndex("m", 4)
    index.add(np.array([1, 2]), np.array([[1, 0, 0, 0], [1e6, 0, 0, 0]], dtype=np.float32), 1)
    with pytest.raises(vectors.IndexCorrupt):
        index.pairs(0.5)
    with pytest.raises(vectors.IndexCorrupt):
        index.search(np.array([[1, 0, 0, 0]], dtype=np.float32), 2)
    with pytest.raises(vectors.IndexCorrupt):
        vectors.check_scores(np.array([0.5, np.nan], dtype=np.float32))
    nan = vectors.VectorIndex("m", 4)   # FAISS leaves a NaN vector out of every answer
    nan.add(np.array([1, 2]), np.array([[1, 0, 0, 0], [np.nan, 0, 0, 0]], dtype=np.float32), 1)
    assert nan.pairs(-1.0) == [] and 2 not in nan.search(np.array([[1, 0, 0, 0]], dtype=np.float32), 2)[1]


def test_similar_photos_after_impossible_scores_come_from_a_rebuilt_index(library_dir, scanned, pictures):
    resaved_with(library_dir, "beach.png", "castle.png", 1e6)
    with Library.open(library_dir) as library:
        results = library.similar(pictures / "castle.png", limit=3, model=MODEL)
    assert all(-1.0 <= r.score <= 1.0 for r in results)
    assert {r.path.rsplit("/", 1)[1] for r in results} == {"castle copy.png", "castle.jpg", "castle small.jpg"}


def test_a_wrong_but_plausible_index_vector_is_overruled_by_the_catalog(library_dir, scanned):
    # Scores stay within [-1, 1] here, so only re-scoring from the catalog can tell.
    resaved_with(library_dir, "beach.png", "castle.png", 1.0)
    with Library.open(library_dir) as library:
        groups = library.duplicates(tier="near", model=MODEL)
        assert sorted(sorted(f.path for f in g.files) for g in groups) == scanned
        assert all(-1.0 <= f.similarity <= 1.0 for g in groups for f in g.files)


def test_a_library_whose_catalog_vectors_are_themselves_impossible_reports_it(library_dir, scanned):
    names, catalog = ids_by_name(library_dir)
    try:
        vec = catalog.embedding(names["castle.png"], MODEL)
        catalog.put_embeddings(MODEL, [(names["castle.png"], vec * np.float32(1e6))])
    finally:
        catalog.close()
    with Library.open(library_dir) as library:
        with pytest.raises(LookalikeError, match="doctor --repair"):
            library.duplicates(tier="near", model=MODEL)


def test_doctor_finds_damaged_vectors_in_the_catalog_and_repair_brings_the_groups_back(library_dir, scanned, capsys):
    names, catalog = ids_by_name(library_dir)
    try:   # random bytes inside one vector's blob: SQLite's own checks cannot see them
        vec = catalog.embedding(names["castle.png"], MODEL)
        garbage = np.frombuffer(np.random.default_rng(7).bytes(vec.nbytes), dtype=np.float32)
        catalog.put_embeddings(MODEL, [(names["castle.png"], garbage)])
    finally:
        catalog.close()
    assert main(["--library", str(library_dir), "doctor"]) == 1
    err = capsys.readouterr().err
    assert "1 damaged photo vector" in err and "doctor --repair" in err and err.count("\n") == 1
    assert main(["--library", str(library_dir), "doctor", "--repair"]) == 0
    assert "Dropped 1 damaged photo vector" in capsys.readouterr().out
    with Library.open(library_dir) as library:
        assert grouped(library) == scanned


def test_an_index_path_taken_by_a_folder_neither_crashes_nor_touches_the_folder(library_dir, scanned):
    path = index_path(library_dir, MODEL)
    path.unlink()
    path.mkdir()
    (path / "notes.txt").write_text("someone's file")
    with Library.open(library_dir) as library:
        assert grouped(library) == scanned
        library.scan(model=MODEL)
        assert grouped(library) == scanned
    assert (path / "notes.txt").read_text() == "someone's file"


def test_an_index_folder_taken_by_a_file_neither_crashes_nor_touches_the_file(library_dir, scanned):
    folder = index_path(library_dir, MODEL).parent
    shutil.rmtree(folder)
    folder.write_text("not an index")
    with Library.open(library_dir) as library:
        summary = library.scan(model=MODEL)
        assert any(str(folder) in note for note in summary.notes)
        assert grouped(library) == scanned
    assert folder.read_text() == "not an index"


def test_an_unsaveable_index_is_still_used_from_memory(tmp_path):
    catalog = Catalog(tmp_path / "lib")
    try:
        folder = catalog.add_folder("/p")
        catalog.insert_files([{"folder_id": folder.id, "path": f"/p/{i}.jpg", "size": 1, "mtime_ns": 1,
                               "content_hash": f"h{i}", "error": None} for i in range(3)])
        v = np.eye(3, 8, dtype=np.float32)
        catalog.put_embeddings("m", list(zip([1, 2, 3], v)))
        index_path(tmp_path / "lib", "m").mkdir(parents=True)
        index = synced_index(catalog, tmp_path / "lib", "m", 8)
        assert index.count == 3 and index.save_problem and "m.faiss" in index.save_problem
    finally:
        catalog.close()


def cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def dry_run(capsys, library_dir):
    lib = ["--library", str(library_dir)]
    assert cli(capsys, *lib, "mark", "--clear")[0] == 0
    assert cli(capsys, *lib, "mark", "--auto")[0] == 0
    code, out, _ = cli(capsys, *lib, "clean", "--trash", "--dry-run", "--json")
    assert code == 0
    return sorted(f["path"].rsplit("/", 1)[1] for f in json.loads(out)["files"])


def test_clean_dry_run_after_index_damage_proposes_only_true_copies(capsys, library_dir, pictures):
    lib = ["--library", str(library_dir)]
    assert cli(capsys, *lib, "add", str(pictures))[0] == 0
    assert cli(capsys, *lib, "scan", "--model", MODEL)[0] == 0
    healthy = dry_run(capsys, library_dir)
    assert len(healthy) == 3 and all(name.startswith("castle") for name in healthy)
    overwrite_vector(library_dir, "beach.png", "castle.png", 1e18)
    assert dry_run(capsys, library_dir) == healthy
    resaved_with(library_dir, "beach.png", "castle.png", 1.0)
    assert dry_run(capsys, library_dir) == healthy
