"""The whole library as a thumbnail grid (virtualised: 100k photos scroll smoothly).

Owns: loading the photo list off the GUI thread and showing it; Space or a double-click opens
the viewer on a photo, Left/Right then walk the library. Must not: decode pictures
on the GUI thread (the thumbnail loader does that).
"""
from __future__ import annotations

from functools import partial

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from .. import operations as ops
from ..widgets.photo_grid import PhotoGrid
from .viewer_window import show_viewer, view_on_space_and_double_click


class PhotosView(QWidget):
    def __init__(self, library, runner, loader, on_photo_menu, parent=None) -> None:
        super().__init__(parent)
        self.library, self.runner = library, runner
        self.title = QLabel("")
        self.title.setObjectName("summaryLabel")
        self.grid = PhotoGrid(loader)
        self.grid.setAccessibleName("Photos in the library")
        self.grid.photo_menu.connect(on_photo_menu)
        view_on_space_and_double_click(self.grid, lambda row: show_viewer(
            self, library, runner, self.grid.grid_model.photos, row, "in the library"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.grid, 1)

    def refresh(self) -> None:
        self.runner.read(partial(ops.photos, self.library), self._show, lambda exc: self.title.setText(str(exc)),
                         key=ops.PHOTO_LIST)

    def _show(self, photos) -> None:
        bad = sum(1 for p in photos if p.error)
        self.title.setText(f"{len(photos)} photos" + (f" · {bad} could not be read" if bad else ""))
        self.grid.grid_model.set_photos(photos)
