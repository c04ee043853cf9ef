"""Search by phrase (CLIP) or by example photo, with scores.

Owns: the search field (Ctrl+F focuses it), running text and image searches off the GUI
thread, and saying plainly when text search needs CLIP, with the button that downloads it
(after which the window indexes the photos for it); Space or a double-click opens a result in
the viewer; image results below the model's similar threshold are left out (counted, with
Show all). Must not: embed anything itself.
"""
from __future__ import annotations

import os
from functools import partial

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from lookalike.engine import TEXT_MODEL
from lookalike.engine.errors import ModelUnavailable, NotScanned

from .. import operations as ops
from ..dialogs.notice import sentence
from ..model_downloads import family_name
from ..widgets.model_fix import ModelFix
from ..widgets.photo_grid import PhotoGrid
from .viewer_window import show_viewer, view_on_space_and_double_click

RESULTS = 60


class SearchView(QWidget):
    def __init__(self, library, runner, loader, on_photo_menu, downloads, parent=None) -> None:
        super().__init__(parent)
        self.library, self.runner = library, runner
        self.field = QLineEdit()
        self.field.setAccessibleName("Search words")
        self.field.setPlaceholderText("Describe a photo, e.g. “dog on a beach at sunset”, and press Enter")
        self.field.setClearButtonEnabled(True)
        self.field.returnPressed.connect(self.search_text)
        self.button = QPushButton("Search")
        self.button.clicked.connect(self.search_text)
        self.status = QLabel("Type a phrase, or drop a photo anywhere on the window to find similar ones.")
        self.status.setObjectName("summaryLabel")
        self.status.setWordWrap(True)
        self.show_all = QPushButton("Show all")   # the results below the model's similar threshold
        self.show_all.setFlat(True)
        self.show_all.hide()
        self.show_all.clicked.connect(lambda: self._show(*self._everything))
        self._everything = ([], "")
        self.fix = ModelFix(downloads)   # "Download CLIP (605 MB)" when text search needs it
        self.grid = PhotoGrid(loader)
        self.grid.setAccessibleName("Search results")
        self.grid.photo_menu.connect(on_photo_menu)
        view_on_space_and_double_click(self.grid, lambda row: show_viewer(
            self, library, runner, self.grid.grid_model.photos, row, "in these results"))
        row = QHBoxLayout()
        row.addWidget(self.field, 1)
        row.addWidget(self.button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.show_all)
        layout.addLayout(status_row)
        layout.addWidget(self.fix)
        layout.addWidget(self.grid, 1)

    def search_text(self) -> None:
        text = self.field.text().strip()
        if not text:
            return
        self.status.setText(f"Searching for “{text}”…")
        self.show_all.hide()   # it belonged to the search before
        self.runner.read(partial(ops.search_text, self.library, text, RESULTS),
                         lambda found: self._show(found, f"Photos matching “{text}”"), self._failed,
                         label=ops.SEARCH, on_cancel=self._stopped, key=ops.SEARCH_RESULTS)

    def search_image(self, path: str) -> None:
        self.field.clear()   # the box never keeps words the results are not about
        self.status.setText(f"Looking for photos like {os.path.basename(path)}…")
        self.show_all.hide()
        self.runner.read(partial(ops.similar_with_cut, self.library, path, RESULTS),
                         lambda result: self._show_similar(*result, f"Photos like {os.path.basename(path)}"),
                         self._failed, label=ops.SEARCH, on_cancel=self._stopped, key=ops.SEARCH_RESULTS)

    def _stopped(self) -> None:
        self.status.setText("Search stopped.")

    def _show_similar(self, found, cut: float, title: str) -> None:
        """Only what is alike beyond chance: the rest is counted, one click away."""
        shown = [(photo, score) for photo, score in found if score >= cut]
        self._show(shown, title)
        if len(shown) < len(found):
            self._everything = (found, title)
            self.status.setText(f"{self.status.text()} · {len(found) - len(shown)} more below {cut:.2f} hidden")
            self.show_all.show()

    def _show(self, found, title: str) -> None:
        self.show_all.hide()
        photos = [photo for photo, _ in found]
        scores = [score for _, score in found]
        self.fix.clear()
        count = "1 result" if len(photos) == 1 else f"{len(photos)} results, best first"
        self.status.setText(f"{title}: {count} (score = cosine similarity)"
                            if photos else f"{title}: no results.")
        self.grid.grid_model.set_photos(photos, scores)

    def _failed(self, exc) -> None:
        self.grid.grid_model.set_photos([])   # the results of the search before are not this one's
        if isinstance(exc, ModelUnavailable) and exc.model == TEXT_MODEL:
            info = self.fix.downloads.info(TEXT_MODEL)
            family = family_name(info) if info else "CLIP"
            self.status.setText(f"Text search needs the {family} model, which is not on this computer. "
                                "Searching by photo works without it.")
            self.fix.offer(TEXT_MODEL, getattr(exc, "downloadable", None))
        elif isinstance(exc, NotScanned):   # app words, never the CLI's command
            self.status.setText("Not scanned yet: photos can be compared once the library is scanned "
                                "(Scan now, in the toolbar).")
            self.fix.clear()
        else:
            self.status.setText(sentence(exc))
            self.fix.clear()
        self.grid.grid_model.set_photos([])
