"""The large viewer: one photo at a time, zoomable, with next/previous and its metadata.

Owns: ViewerWindow, a window of its own showing one photo of a sequence (the open duplicate
group, the library's photos, the search results): the picture loaded off the GUI thread (a
screen-sized version first, the full resolution once zoomed past it), fitted by default, zoom
(wheel, + - 0 1, a double-click: fitted / 1:1) and pan (drag) through ZoomCanvas, Left/Right/Home/End through the sequence
(stopping at its ends: the last photo never wraps to the first), the metadata panel (I hides
it), the title "name — 3 of 12 in this group", and Esc or Space closing it; every action names its
keys in its tooltip and in the photo's right-click menu. Also
`view_on_space_and_double_click`, the one way a photo grid opens it, and `show_viewer`, which
keeps one viewer per main window.
Must not: decode or read files on the GUI thread (ops.picture and ops.details run on the
reader pool), or change marks.
"""
from __future__ import annotations

import os
from functools import partial

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction, QImage, QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QSplitter, QToolBar, QVBoxLayout

from .. import operations as ops
from ..dialogs.notice import sentence
from ..widgets.details_table import DetailsTable
from ..widgets.zoom_canvas import STEP, ViewState, ZoomCanvas

FULL = 8192        # the most ever loaded: 67 MP of RGB is 200 MB
CACHED = 6         # pictures kept, so going back is instant
# The runner's "latest request wins" keys: moving on drops the photo before's picture and details.
VIEWED_PICTURE, VIEWED_DETAILS = "viewer picture", "viewer details"


def view_on_space_and_double_click(grid, open_at) -> None:
    """A photo grid (a QListView) opens the viewer on its current photo with Space or a
    double-click: `open_at(row)`."""
    grid.doubleClicked.connect(lambda index: open_at(index.row()))
    space = QShortcut(QKeySequence(Qt.Key.Key_Space), grid, context=Qt.ShortcutContext.WidgetShortcut)
    space.setWhatsThis("Open the selected photo in the viewer")   # listed in Help › Keyboard shortcuts
    space.activated.connect(lambda: grid.currentIndex().isValid() and open_at(grid.currentIndex().row()))


def show_viewer(anchor, library, runner, items, index: int, where: str = "") -> "ViewerWindow":
    """Opens the window's one viewer (made on first use, a child of `anchor`'s window) on
    `items[index]`."""
    window = anchor.window()
    viewer = window.findChild(ViewerWindow, "viewerWindow")
    if viewer is None:
        viewer = ViewerWindow(library, runner, window)
    viewer.show_photos(items, index, where)
    return viewer


class ViewerWindow(QDialog):
    def __init__(self, library, runner, parent=None) -> None:
        super().__init__(parent)
        self.library, self.runner = library, runner
        self.setWindowFlag(Qt.WindowType.Window)   # its own window: maximisable, not a dialog
        self.setObjectName("viewerWindow")
        self.setAccessibleName("Photo viewer")
        self.items: list = []        # Photo or DuplicateFile values: each has .path, .width, .height
        self.index = -1
        self.where = ""
        self.image: QImage | None = None
        self.asked = 0               # the longest side asked for the shown picture (0: full)
        self._cache: dict[tuple[str, int], QImage] = {}
        self._one_to_one = False     # 1:1 asked before the full resolution arrived
        self._pending = None         # (path, longest) of the picture being read
        self._ahead = 1              # the way the user walks: the photo that way is read ahead
        self._reading_ahead = None   # (path, longest) of that read

        self.state = ViewState(self)
        self.state.changed.connect(self._zoom_changed)
        self.canvas = ZoomCanvas(self.state, "Photo, zoomable")
        self.canvas.text = "Loading…"
        self.canvas.setToolTip("Wheel or + and − zoom, drag pans, double-click switches between fitted and 1:1")
        self.canvas.installEventFilter(self)   # its double-click
        self.details = DetailsTable()
        self.details.setAccessibleName("Photo metadata")
        self.details.horizontalHeader().hide()
        self.details.setFocusPolicy(Qt.FocusPolicy.NoFocus)   # the arrows stay with the viewer
        self.details.setMinimumWidth(300)
        self.details.setWordWrap(True)   # a long exposure line or folder wraps instead of being cut
        self.heading = QLabel("")
        self.heading.setObjectName("groupTitle")
        self.zoom_label = QLabel("")
        self.zoom_label.setAccessibleName("Zoom")
        # Wide enough for any reading from the start: a text arriving after layout is never cut.
        self.zoom_label.setMinimumWidth(self.zoom_label.fontMetrics().horizontalAdvance("Zoom: 6400%") + 8)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        bar = QToolBar("Viewer")
        bar.setObjectName("viewerToolbar")
        self.previous_action = self._action(bar, "◀ Previous", ["Left"], "The previous photo", lambda: self.go(-1))
        self.next_action = self._action(bar, "Next ▶", ["Right"], "The next photo", lambda: self.go(1))
        self._action(None, "First", ["Home"], "The first photo", lambda: self.go_to(0))
        self._action(None, "Last", ["End"], "The last photo", lambda: self.go_to(len(self.items) - 1))
        bar.addSeparator()
        self._action(bar, "−", ["-"], "Zoom out", lambda: self.zoom_by(1 / STEP))
        self._action(bar, "Fit", ["0"], "Fit the photo to the window", self.state.fit)
        self._action(bar, "1:1", ["1"], "One photo pixel per screen pixel", self.one_to_one)
        self._action(bar, "+", ["+", "="], "Zoom in", lambda: self.zoom_by(STEP))
        bar.addSeparator()
        self.info_action = self._action(bar, "Details", ["I"], "Show or hide the photo's metadata",
                                        self._toggle_details)
        self.info_action.setCheckable(True)
        self.info_action.setChecked(True)
        self._action(bar, "Close", ["Esc", "Space"], "Close the viewer", self.close)

        self.splitter = QSplitter()
        self.splitter.addWidget(self.canvas)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setSizes([900, 340])
        layout = QVBoxLayout(self)
        layout.addWidget(bar)
        heading = QHBoxLayout()
        heading.addWidget(self.heading, 1)
        heading.addWidget(self.zoom_label)
        layout.addLayout(heading)
        # Right-click on the photo lists every action with its keys.
        self.canvas.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.canvas.addActions(self.actions())
        layout.addWidget(self.splitter, 1)

    def _action(self, bar, text: str, keys: list[str], tip: str, slot) -> QAction:
        """An action with its keys named in its tooltip; on the toolbar when `bar` is given."""
        action = QAction(text, self)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setToolTip(f"{tip} ({' or '.join(keys)})")
        action.triggered.connect(slot)
        self.addAction(action)
        if bar is not None:
            bar.addAction(action)
            bar.widgetForAction(action).setAccessibleName(tip)
        return action

    # -- the sequence -----------------------------------------------------------------------
    def show_photos(self, items, index: int, where: str = "") -> None:
        """Opens on `items[index]`; `where` ("in this group") ends the title's "3 of 12"."""
        self.items, self.where = list(items), where
        if not self.isVisible():
            screen = (self.parentWidget() or self).screen().availableGeometry()
            self.resize(int(screen.width() * 0.8), int(screen.height() * 0.85))
        self.show()
        self.raise_()
        self.activateWindow()
        self.canvas.setFocus()
        self.go_to(index)

    def go(self, step: int) -> None:
        """The next (1) or previous (-1) photo; at either end it stays (its button is disabled)."""
        self._ahead = step
        self.go_to(self.index + step)

    def go_to(self, index: int) -> None:
        if not 0 <= index < len(self.items):
            return
        self.index = index
        item = self.items[index]
        name = os.path.basename(item.path)
        title = name if len(self.items) == 1 else (
            f"{name} — {index + 1} of {len(self.items)}" + (f" {self.where}" if self.where else ""))
        self.setWindowTitle(title)
        self.heading.setText(title)
        self.heading.setToolTip(item.path)
        self.previous_action.setEnabled(index > 0)
        self.next_action.setEnabled(index < len(self.items) - 1)
        self._one_to_one = False
        self.image = None
        self.state.fit()
        self._load(item.path, self._first_size())
        self.details.setRowCount(0)
        self.runner.read(partial(ops.details, self.library, [item.path]), self._details_ready,
                         lambda exc: self._details_failed(item.path, exc), key=VIEWED_DETAILS)

    @property
    def current(self):
        return self.items[self.index] if 0 <= self.index < len(self.items) else None

    # -- pictures ---------------------------------------------------------------------------
    def _first_size(self) -> int:
        """A screen's worth of pixels: quick to decode, sharp when fitted."""
        screen = self.screen().availableGeometry()
        return min(FULL, int(max(screen.width(), screen.height(), 1024) * self.devicePixelRatioF()))

    def _load(self, path: str, longest: int) -> None:
        cached = self._cache.get((path, FULL))
        cached = self._cache.get((path, longest)) if cached is None else cached
        if cached is not None:
            self._show_picture(path, longest, cached)
            return
        if self.image is None:
            self.canvas.show_photo(None, f"Loading {os.path.basename(path)}…")
        if (path, longest) in (self._pending, self._reading_ahead):
            return   # asked already: zooming on must not restart the decode
        self._pending = (path, longest)
        self.runner.read(partial(ops.picture, self.library, path, longest),
                         partial(self._picture_ready, path, longest),
                         partial(self._picture_failed, path), key=VIEWED_PICTURE)

    def _picture_ready(self, path: str, longest: int, data) -> None:
        self._pending = None
        image = self._keep(path, longest, data)
        if self.current is not None and self.current.path == path:
            self._show_picture(path, longest, image)

    def _keep(self, path: str, longest: int, data) -> QImage:
        width, height, raw = data
        image = QImage(raw, width, height, width * 3, QImage.Format.Format_RGB888).copy()
        self._cache[(path, longest)] = image
        while len(self._cache) > CACHED:
            self._cache.pop(next(iter(self._cache)))
        return image

    def _read_ahead(self) -> None:
        """The photo the next key press shows is decoded meanwhile, so it appears at once."""
        index = self.index + self._ahead
        if not 0 <= index < len(self.items) or self._reading_ahead is not None:
            return
        path, longest = self.items[index].path, self._first_size()
        if (path, longest) in self._cache or (path, FULL) in self._cache:
            return
        self._reading_ahead = (path, longest)
        self.runner.read(partial(ops.picture, self.library, path, longest),
                         partial(self._read_ahead_ready, path, longest), partial(self._read_ahead_failed, path))

    def _read_ahead_ready(self, path: str, longest: int, data) -> None:
        self._reading_ahead = None
        image = self._keep(path, longest, data)
        if self.current is not None and self.current.path == path and self.image is None:
            self._show_picture(path, longest, image)   # the user got here before it arrived

    def _read_ahead_failed(self, path: str, exc) -> None:
        self._reading_ahead = None
        self._picture_failed(path, exc)

    def _show_picture(self, path: str, longest: int, image: QImage) -> None:
        self.image, self.asked = image, longest
        self.canvas.show_photo(image)   # the zoom is relative to "fit": the view stays put
        if self._one_to_one:
            self.one_to_one()
        self._zoom_changed()
        self._read_ahead()

    def _picture_failed(self, path: str, exc) -> None:
        self._pending = None
        if self.current is not None and self.current.path == path:
            self.canvas.show_photo(None, sentence(exc))

    def _details_ready(self, details) -> None:
        [found] = details
        if self.current is not None and self.current.path == found.path:
            self.details.show_details([os.path.basename(found.path)], [found])
            self.details.resizeRowsToContents()

    def _details_failed(self, path: str, exc) -> None:
        if self.current is not None and self.current.path == path:
            self.details.setRowCount(0)
            self.zoom_label.setText(sentence(exc))

    # -- zoom -------------------------------------------------------------------------------
    def original_size(self) -> tuple[int, int]:
        """The photo's own pixels: the catalog's, else the loaded picture's."""
        item = self.current
        if item is not None and getattr(item, "width", None) and getattr(item, "height", None):
            return item.width, item.height
        return (self.image.width(), self.image.height()) if self.image is not None else (1, 1)

    def zoom_by(self, factor: float) -> None:
        self.state.set(zoom=self.state.zoom * factor)

    def one_to_one(self) -> None:
        """One photo pixel on one screen pixel, whatever size the loaded picture is."""
        width, height = self.original_size()
        fit = min(self.canvas.width() / width, self.canvas.height() / height)
        self._one_to_one = self.asked != FULL and self._capped()
        self.state.set(zoom=1.0 / (fit * self.canvas.devicePixelRatioF()))

    def screen_scale(self) -> float:
        """Screen pixels per photo pixel at the present zoom."""
        width, height = self.original_size()
        fit = min(self.canvas.width() / width, self.canvas.height() / height)
        return fit * self.state.zoom * self.canvas.devicePixelRatioF()

    def _capped(self) -> bool:
        """The loaded picture is smaller than the photo (it was decoded to the screen's size)."""
        return self.image is not None and max(self.image.width(), self.image.height()) >= self.asked

    def _zoom_changed(self) -> None:
        if self.image is None:
            return
        self.zoom_label.setText("Zoom: fitted" if self.state.zoom == 1.0 else f"Zoom: {self.screen_scale():.0%}")
        loaded_scale = self.canvas.fit_scale() * self.state.zoom * self.canvas.devicePixelRatioF()
        if self.asked != FULL and self._capped() and loaded_scale > 1.01 and self.current is not None:
            self._load(self.current.path, FULL)   # zoomed past the screen-sized picture

    def eventFilter(self, watched, event) -> bool:
        if watched is self.canvas and event.type() == QEvent.Type.MouseButtonDblClick and self.image is not None:
            if self.state.zoom != 1.0:
                self.state.fit()
            else:
                self.one_to_one()
            return True
        return super().eventFilter(watched, event)

    def _toggle_details(self) -> None:
        self.details.setVisible(self.info_action.isChecked())
