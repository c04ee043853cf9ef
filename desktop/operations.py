"""The background operations the window runs, each named once.

Owns: one small named function per job the desktop hands to the JobRunner (scan, add a folder,
remove a folder, mark a reference folder, regroup, marks, clean-up, undo, decisions (not duplicates, keep all, forget), preferences, model
download and removal, tags: teach, correct, delete, sort into folders; photos, search,
similar, the folders with their counts and unreadable files, compare, match evidence, pictures, details and patch maps, tags and their photos, the
model list, the threshold calibration, the device probe and the backup), their status-bar
labels, and the keys that make reads
"latest request wins". Writes and long reads take `on_progress=` and `cancel=` like the engine.
Must not: touch widgets (these run on worker threads), or call the engine except through the
Library passed in.
"""
from __future__ import annotations

from typing import Optional

from lookalike.engine.errors import NotScanned

# Status-bar labels (a label also makes a read long: progress shown, Cancel stops it).
ADD_FOLDER = "Adding folder"
SCAN = "Indexing"
REGROUP = "Regrouping"
SAVE_MARKS = "Saving marks"
PREPARE_CLEAN = "Preparing clean-up"
CLEAN = "Cleaning up"
UNDO = "Undoing clean-up"
SAVE_PREFERENCES = "Saving preferences"
SEARCH = "Searching"
TEACH_TAG = "Teaching the tag"
CORRECT_TAG = "Correcting the tag"
DELETE_TAG = "Deleting the tag"
PREPARE_ORGANISE = "Planning the sort into folders"
ORGANISE = "Sorting into folders"
UNDO_ORGANISE = "Putting sorted photos back"
PATCH_MAPS = "Making patch maps"
DECIDE = "Remembering the decision"
FORGET_DECISIONS = "Forgetting decisions"
REMOVE_FOLDER = "Removing folder"
MARK_REFERENCE = "Changing reference folders"


CALIBRATE = "Estimating chance similarity"


def download_label(model: str) -> str:
    return f"Downloading {model}"


def is_download(label: str) -> bool:
    """Whether a job label is a download's (its progress counts bytes)."""
    return label.startswith("Downloading ")


def remove_label(model: str) -> str:
    return f"Removing {model}"


# Keys of the reads where only the latest request's result may be shown.
GROUPS_SHOWN = "groups"            # the duplicates view's group list
SEARCH_RESULTS = "search results"  # text and photo searches share one result grid
COMPARISON = "comparison"
COMPARED_DETAILS = "compared details"
SHOWN_PATCH_MAPS = "patch maps"
PHOTO_LIST = "photos"
TAG_LIST = "tags"
TAG_SHOWN = "tag photos"           # the tags view's grid: the selected tag's photos
TEACH_PHOTOS = "photos to teach"   # the library's photos for "Teach a new tag…"
MODEL_LIST = "models"              # the model manager's rows and the inline fixes' sizes
CALIBRATION_SHOWN = "calibration"  # the chance-similarity line of Preferences
CALIBRATION_REVIEW = "calibration in review"   # the same line in the duplicates view
FOLDER_LIST = "folders"            # the Folders page: folders with counts, and the Problems list


# -- writes (the writer thread, one at a time) ----------------------------------------------
def add_folder(library, folder: str, *, on_progress=None, cancel=None):
    return library.add_folder(folder)


def scan(library, changed: Optional[set] = None, *, on_progress=None, cancel=None):
    return library.scan(on_progress=on_progress, cancel=cancel, changed=changed)


def remove_folder(library, folder: str, *, on_progress=None, cancel=None) -> int:
    """Forgets a folder and its photos in the catalog; nothing on disk is touched."""
    return library.remove_folder(folder)


def set_reference(library, folder: str, reference: bool, *, on_progress=None, cancel=None):
    return library.add_reference_folder(folder) if reference else library.remove_reference_folder(folder)


def save_marks(library, items, *, on_progress=None, cancel=None) -> None:
    library.set_marks(items)


def prepare_clean(library, items, action: str, target, preset, tier, threshold, merge=None, *,
                  on_progress=None, cancel=None):
    """`merge` ('sidecar' | 'file' | None): each keeper first receives the metadata only its
    removed copies carry."""
    library.set_marks(items)
    # The groups on screen: a file the user marked in a similar group is their choice.
    return library.plan_clean(action, target=target, preset=preset, tier=tier, threshold=threshold,
                              merge_metadata=merge)


def decide(library, paths, kind: str, *, on_progress=None, cancel=None):
    """Remembers a group as 'different' (not duplicates) or 'keep_all'; its group is hidden."""
    return library.decisions.decide(paths, kind=kind)


def forget_decisions(library, ids, *, on_progress=None, cancel=None) -> int:
    return library.decisions.clear(ids=list(ids))


def clean(library, plan, *, on_progress=None, cancel=None):
    return library.clean(plan, on_progress, cancel)


def undo(library, *, on_progress=None, cancel=None):
    return library.undo(on_progress, cancel)


def define_tag(library, name: str, phrases=(), examples=(), *, on_progress=None, cancel=None):
    return library.define_tag(name, phrases=phrases, examples=examples, on_progress=on_progress, cancel=cancel)


def correct_tag(library, name: str, paths, is_tag: bool, *, on_progress=None, cancel=None):
    return library.correct_tag(name, paths, is_tag)


def delete_tag(library, name: str, *, on_progress=None, cancel=None) -> None:
    library.delete_tag(name)


def plan_organise(library, into: str, tags, *, on_progress=None, cancel=None):
    return library.plan_organise(into, tags=tags)


def organise(library, plan, *, on_progress=None, cancel=None):
    return library.organise(plan, on_progress=on_progress, cancel=cancel)


def change_settings(library, values: dict, *, on_progress=None, cancel=None) -> None:
    for key, value in values.items():
        setattr(library.settings, key, value)
    library.save_settings()


def apply_preferences(library, dialog, *, on_progress=None, cancel=None):
    return dialog.apply(library)


def download_model(library, model: str, *, on_progress=None, cancel=None):
    """The user's click on "Download" is the consent: nothing else reaches the network."""
    return library.download_model(model, on_progress=on_progress, cancel=cancel)


def remove_model(library, model: str, *, on_progress=None, cancel=None):
    return library.remove_model(model)


# -- reads (the reader pool, beside writes) --------------------------------------------------
def regroup(library, preset, tier: str, threshold, *, on_progress, cancel):
    """The groups on screen with their proposals and stored marks, and the last progress note
    (e.g. how many look-alike pairs were left unchecked). Long at 100k photos: cancellable."""
    if not library.vector_counts():   # nothing scanned yet: said so, never "no duplicates"
        model = library.resolve_model_name(None)
        raise NotScanned(model, f"The library has no {model} vectors yet; scan first.")
    notes = []

    def progress(p):
        if p.message:
            notes.append(p.message)
        on_progress(p)

    pairs = library.proposals(preset, tier=tier, threshold=threshold, on_progress=progress, cancel=cancel)
    return pairs, library.marks(), notes[-1] if notes else ""


def photos(library):
    return library.photos()


def folders_overview(library):
    """[(Folder, is a reference)] and every file that could not be read as (path, reason)."""
    folders = [(f, library.is_reference(f.path)) for f in library.folders()]
    return folders, [(p.path, p.error) for p in library.photos(unreadable=True)]


def models(library):
    """Every model with where it is, its sizes, licence and origin (reads folders: off the GUI thread)."""
    return library.models()


def calibration(library, model=None, *, on_progress=None, cancel=None):
    return library.calibration(model, on_progress=on_progress, cancel=cancel)


def decisions(library):
    return library.decisions.all()


def _with_photos(library, results):
    """Each result with its Photo, for the grid."""
    found = library.photos_for(r.file_id for r in results)
    return [(found[r.file_id], r.score) for r in results if r.file_id in found]


def search_text(library, text: str, limit: int, *, on_progress=None, cancel=None):
    return _with_photos(library, library.search_text(text, limit=limit, on_progress=on_progress, cancel=cancel))


def similar(library, path: str, limit: int, *, on_progress=None, cancel=None):
    return _with_photos(library, library.similar(path, limit=limit, on_progress=on_progress, cancel=cancel))


def similar_with_cut(library, path: str, limit: int, *, on_progress=None, cancel=None):
    """The similar photos and the model's similar-scene threshold: below it is chance likeness,
    which the search view leaves out until asked."""
    found = similar(library, path, limit, on_progress=on_progress, cancel=cancel)
    return found, library.thresholds(library.resolve_model_name(None))["similar"]


def tags(library):
    return library.tags()


def tag_photos(library, name: str, limit: int, near_misses: float = 0.0):
    """(TagInfo, [(Photo, score)], file ids you labelled as the tag, file ids below the cut-off):
    the tag's photos best first, and with `near_misses` also those scoring up to that much
    below its cut-off (where "this one is the tag" is most often needed)."""
    info = library.tag(name)
    found = library.tag_photos(name, limit=limit)
    below: set[int] = set()
    if near_misses and info.cutoff is not None:
        taken = {t.file_id for t in found}
        extra = [t for t in library.tag_photos(name, limit=limit, min_score=max(0.0, info.cutoff - near_misses))
                 if t.file_id not in taken]
        below = {t.file_id for t in extra}
        found = sorted(found + extra, key=lambda t: -t.score)[:limit]
    return info, _with_photos(library, found), {t.file_id for t in found if t.manual}, below


def compare(library, a: str, b: str):
    return library.compare(a, b)


def explain_match(library, a: str, b: str):
    return library.explain_match(a, b)


def picture(library, path: str, longest: int):
    """The photo upright as (width, height, RGB bytes): the GUI thread wraps it in a QImage."""
    image = library.picture(path, longest)
    return image.width, image.height, image.tobytes()


def details(library, paths):
    return [library.details(path) for path in paths]


def patch_maps(library, paths, *, on_progress=None, cancel=None):
    """Each photo's patch map layer as (width, height, RGBA bytes), colours shared."""
    maps = library.patch_maps(paths, on_progress=on_progress, cancel=cancel)
    return [(m.layer.width, m.layer.height, m.layer.tobytes()) for m in maps], maps[0].model


def detected_devices(library):
    return library.detected_devices()


def back_up(library):
    return library.back_up_if_due()
