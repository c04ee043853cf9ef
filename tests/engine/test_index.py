"""The FAISS index is derived data: saved atomically, caught up or rebuilt from the catalog."""
import numpy as np
import pytest

from engine.catalog.store import Catalog
from engine.index import sync, vectors
from engine.index.sync import index_path, synced_index


def unit(n, dim=16, seed=0):
    v = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.fixture()
def catalog(library_dir):
    c = Catalog(library_dir)
    folder = c.add_folder("/p")
    c.insert_files([{"folder_id": folder.id, "path": f"/p/{i}.jpg", "size": 1, "mtime_ns": 1,
                     "content_hash": f"h{i}", "error": None} for i in range(40)])
    yield c
    c.close()


def put(catalog, ids, seed=0):
    catalog.put_embeddings("m", list(zip(ids, unit(len(ids), seed=seed))))


def test_a_built_index_finds_each_vector_as_its_own_best_match(catalog, library_dir):
    put(catalog, range(1, 21))
    index = synced_index(catalog, library_dir, "m", 16)
    ids, stored = catalog.vectors("m", 16)[:2]
    scores, found = index.search(stored, 1)
    assert (found[:, 0] == ids).all() and np.allclose(scores[:, 0], 1.0, atol=1e-5)


def test_new_vectors_are_added_without_a_rebuild(catalog, library_dir, monkeypatch):
    put(catalog, range(1, 11))
    first = synced_index(catalog, library_dir, "m", 16)
    put(catalog, range(11, 16), seed=1)
    monkeypatch.setattr(sync, "VectorIndex", None)  # a rebuild would fail loudly
    caught_up = synced_index(catalog, library_dir, "m", 16, cached=first)
    assert caught_up.count == 15 and set(caught_up.ids()) == set(range(1, 16))


def test_removed_or_replaced_vectors_force_a_rebuild(catalog, library_dir):
    put(catalog, range(1, 11))
    synced_index(catalog, library_dir, "m", 16)
    catalog.delete_files([3])
    put(catalog, [4], seed=9)
    index = synced_index(catalog, library_dir, "m", 16)
    assert index.count == 9 and 3 not in set(index.ids())
    stored = catalog.embedding(4, "m")
    assert np.allclose(index.vectors_of(np.array([4]))[0], stored)


def test_a_corrupt_or_missing_index_file_is_rebuilt_from_the_catalog(catalog, library_dir):
    put(catalog, range(1, 11))
    synced_index(catalog, library_dir, "m", 16)
    path = index_path(library_dir, "m")
    path.write_bytes(path.read_bytes()[:50])
    assert vectors.VectorIndex.load(path) is None
    assert synced_index(catalog, library_dir, "m", 16).count == 10
    path.unlink()
    assert synced_index(catalog, library_dir, "m", 16).count == 10
    assert vectors.VectorIndex.load(path).count == 10


def test_large_libraries_switch_to_ivf_and_still_find_close_pairs(catalog, library_dir, monkeypatch):
    monkeypatch.setattr(vectors, "IVF_MIN", 10)
    monkeypatch.setattr(sync, "IVF_MIN", 10)
    base = unit(20, seed=3)
    near = base[:5] + 0.02 * unit(5, seed=4)
    near /= np.linalg.norm(near, axis=1, keepdims=True)
    catalog.put_embeddings("m", list(zip(range(1, 26), np.vstack([base, near]))))
    index = synced_index(catalog, library_dir, "m", 16)
    assert index.kind == "ivf"
    found = {(a, b) for a, b, _ in index.pairs(0.95)}
    assert found == {(i, 20 + i) for i in range(1, 6)}
    reloaded = vectors.VectorIndex.load(index_path(library_dir, "m"))
    assert reloaded.kind == "ivf" and reloaded.count == 25
    assert {(a, b) for a, b, _ in reloaded.pairs(0.95)} == found
    scores, ids = reloaded.search(near[:1], 1)
    assert ids[0][0] == 21
