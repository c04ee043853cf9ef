"""Decisions stick to the photos (by content hash), and sidecars travel with their photo."""
import os

from helpers import tree_hashes


def test_not_duplicates_survives_a_rename_and_a_rescan_and_can_be_cleared(scanned):
    library, photos = scanned
    before = len(library.duplicates())
    a, b = photos / "p1.png", photos / "copies" / "p1 small.jpg"
    library.decisions.decide([a, b], "different")
    assert len(library.duplicates()) == before - 1
    os.rename(b, photos / "copies" / "renamed.jpg")
    library.scan(model="sscd")
    assert len(library.duplicates()) == before - 1
    assert str(photos / "copies" / "renamed.jpg") in library.decisions.all()[0].photos
    assert library.decisions.clear([a, photos / "copies" / "renamed.jpg"]) == 1
    assert len(library.duplicates()) == before


def test_a_removed_photo_takes_its_sidecar_along_and_undo_brings_both_back(scanned):
    library, photos = scanned
    sidecar = photos / "copies" / "p2 small.jpg.xmp"
    sidecar.write_text("<x:xmpmeta xmlns:x='adobe:ns:meta/'/>")
    before = tree_hashes(photos)
    library.mark_proposals()
    plan = library.plan_clean("trash")
    assert str(sidecar) in [i.path for i in plan.items if i.role == "sidecar"]
    library.clean(plan)
    assert not sidecar.exists()
    library.undo()
    assert tree_hashes(photos) == before
