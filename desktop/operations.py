"""The background operations the window runs, each named once.

Owns: one small named function per job the desktop hands to the JobRunner (scan, add a folder,
regroup, marks, clean-up, undo, preferences, model download; photos, search, similar, compare,
the device probe and the backup), their status-bar labels, and the keys that make reads
"latest request wins". Writes and long reads take `on_progress=` and `cancel=` like the engine.
Must not: touch widgets (these run on worker threads), or call the engine except through the
Library passed in.
"""
from __future__ import annotations

from typing import Optional

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


def download_label(model: str) -> str:
    return f"Downloading {model}"


# Keys of the reads where only the latest request's result may be shown.
GROUPS_SHOWN = "groups"            # the duplicates view's group list
SEARCH_RESULTS = "search results"  # text and photo searches share one result grid
COMPARISON = "comparison"
PHOTO_LIST = "photos"


# -- writes (the writer thread, one at a time) ----------------------------------------------
def add_folder(library, folder: str, *, on_progress=None, cancel=None):
    return library.add_folder(folder)


def scan(library, changed: Optional[set] = None, *, on_progress=None, cancel=None):
    return library.scan(on_progress=on_progress, cancel=cancel, changed=changed)


def save_marks(library, items, *, on_progress=None, cancel=None) -> None:
    library.set_marks(items)


def prepare_clean(library, items, action: str, target, preset, tier, threshold, *,
                  on_progress=None, cancel=None):
    library.set_marks(items)
    # The groups on screen: a file the user marked in a similar group is their choice.
    return library.plan_clean(action, target=target, preset=preset, tier=tier, threshold=threshold)


def clean(library, plan, *, on_progress=None, cancel=None):
    return library.clean(plan, on_progress, cancel)


def undo(library, *, on_progress=None, cancel=None):
    return library.undo(on_progress, cancel)


def change_settings(library, values: dict, *, on_progress=None, cancel=None) -> None:
    for key, value in values.items():
        setattr(library.settings, key, value)
    library.save_settings()


def apply_preferences(library, dialog, *, on_progress=None, cancel=None):
    return dialog.apply(library)


def download_model(library, model: str, *, on_progress=None, cancel=None):
    return library.download_model(model, on_progress, cancel)


# -- reads (the reader pool, beside writes) --------------------------------------------------
def regroup(library, preset, tier: str, threshold, *, on_progress, cancel):
    """The groups on screen with their proposals and stored marks, and the last progress note
    (e.g. how many look-alike pairs were left unchecked). Long at 100k photos: cancellable."""
    if not library.vector_counts() and tier != "exact":
        return [], {}, ""
    notes = []

    def progress(p):
        if p.message:
            notes.append(p.message)
        on_progress(p)

    pairs = library.proposals(preset, tier=tier, threshold=threshold, on_progress=progress, cancel=cancel)
    return pairs, library.marks(), notes[-1] if notes else ""


def photos(library):
    return library.photos()


def _with_photos(library, results):
    """Each result with its Photo, for the grid."""
    found = library.photos_for(r.file_id for r in results)
    return [(found[r.file_id], r.score) for r in results if r.file_id in found]


def search_text(library, text: str, limit: int, *, on_progress=None, cancel=None):
    return _with_photos(library, library.search_text(text, limit=limit, on_progress=on_progress, cancel=cancel))


def similar(library, path: str, limit: int, *, on_progress=None, cancel=None):
    return _with_photos(library, library.similar(path, limit=limit, on_progress=on_progress, cancel=cancel))


def compare(library, a: str, b: str):
    return library.compare(a, b)


def detected_devices(library):
    return library.detected_devices()


def back_up(library):
    return library.back_up_if_due()
