"""A virtualised thumbnail grid: the whole library (100k items) or a list of results.

Owns: the list model over Photo values (with optional scores, and optional per-photo marks: a
symbol before the name and its meaning in the tooltip), the icon-mode view set up to
lay out lazily in batches, placeholders until a thumbnail lands, and the context-menu signal.
Only rows on screen ask for thumbnails. Must not: load pictures on the GUI thread.
"""
from __future__ import annotations

import os
from typing import Optional, Sequence

from PySide6.QtCore import QAbstractListModel, QEvent, QModelIndex, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QColor, QContextMenuEvent, QFont, QFontMetrics, QPainter, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QListView, QStyledItemDelegate

from .thumbnails import thumbnail_key

THUMB = 160
PHOTO_ROLE = Qt.ItemDataRole.UserRole + 1
TEXT_LINES = 1


def cell_size(metrics: QFontMetrics) -> QSize:
    """A fixed layout: the thumbnail box, then the name (and score) at the font's line height.
    Never measured from a thumbnail: a cached first one used to set every cell's size."""
    return QSize(THUMB + 20, THUMB + 16 + TEXT_LINES * metrics.lineSpacing())


def placeholder(size: int, broken: bool = False) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor("#e4e4e7"))
    if broken:
        painter = QPainter(pixmap)
        painter.setPen(QColor("#a1a1aa"))
        painter.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, "cannot\nbe read")
        painter.end()
    return pixmap


class PhotoGridModel(QAbstractListModel):
    def __init__(self, loader, parent=None) -> None:
        super().__init__(parent)
        self.loader = loader
        self.photos: list = []
        self.scores: Optional[list[float]] = None
        self.marks: dict[int, tuple[str, str]] = {}   # file id -> (symbol, what it means)
        self._rows: dict[tuple, list[int]] = {}   # thumbnail key -> rows showing that picture
        self._blank = placeholder(THUMB)
        self._broken = placeholder(THUMB, broken=True)
        self.cell = cell_size(QFontMetrics(QFont()))
        loader.ready.connect(self._thumbnail_ready)

    def set_photos(self, photos: Sequence, scores: Optional[Sequence[float]] = None,
                   marks: Optional[dict[int, tuple[str, str]]] = None) -> None:
        self.beginResetModel()
        self.photos = list(photos)
        self.scores = list(scores) if scores is not None else None
        self.marks = dict(marks or {})
        self._rows = {}
        for row, photo in enumerate(self.photos):
            self._rows.setdefault(thumbnail_key(photo, THUMB), []).append(row)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.photos)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        photo = self.photos[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            name = os.path.basename(photo.path)
            symbol = self.marks[photo.file_id][0] + " " if photo.file_id in self.marks else ""
            if self.scores is not None:
                return f"{symbol}{self.scores[index.row()]:.3f} · {name}"
            return symbol + name
        if role == Qt.ItemDataRole.DecorationRole:
            if photo.error or self.loader.failed(photo, THUMB):
                return self._broken
            return self.loader.pixmap(photo, THUMB) or self._blank
        if role == Qt.ItemDataRole.ToolTipRole:
            size = f"{photo.width}×{photo.height}, " if photo.width else ""
            problem = f"\n{photo.error}" if photo.error else ""
            meaning = f"\n{self.marks[photo.file_id][1]}" if photo.file_id in self.marks else ""
            return f"{photo.path}\n{size}{photo.bytes / 1e6:.1f} MB{problem}{meaning}"
        if role == Qt.ItemDataRole.AccessibleTextRole:   # what a screen reader says: no symbols
            words = [os.path.basename(photo.path)]
            if self.scores is not None:
                words.append(f"similarity {self.scores[index.row()]:.3f}")
            if photo.file_id in self.marks:
                words.append(self.marks[photo.file_id][1])
            if photo.error:
                words.append(f"could not be read: {photo.error}")
            return ", ".join(words)
        if role == Qt.ItemDataRole.SizeHintRole:
            # One size for every cell: with uniform sizes the view measures one item, and a
            # square or portrait thumbnail under a landscape first one would lose its name.
            return self.cell
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop   # the name right under its photo
        if role == PHOTO_ROLE:
            return photo
        return None

    def _thumbnail_ready(self, key: tuple) -> None:
        for row in self._rows.get(key, []):
            index = self.index(row)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])


class SquareBoxDelegate(QStyledItemDelegate):
    """Every photo in the same THUMB box, standing on its name: a landscape thumbnail, a
    portrait one and a square "cannot be read" placeholder put their names on one line."""

    def initStyleOption(self, option, index) -> None:   # noqa: N802 (Qt's name)
        super().initStyleOption(option, index)
        option.decorationSize = QSize(THUMB, THUMB)
        option.decorationAlignment = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom


class PhotoGrid(QListView):
    photo_menu = Signal(object, QPoint)      # Photo, global position
    photo_activated = Signal(object)

    def __init__(self, loader, parent=None) -> None:
        super().__init__(parent)
        self.grid_model = PhotoGridModel(loader, self)
        self.setModel(self.grid_model)
        self.setItemDelegate(SquareBoxDelegate(self))
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(256)
        self.setUniformItemSizes(True)
        self.setIconSize(QSize(THUMB, THUMB))
        self._fit_cells()
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.activated.connect(lambda index: self.photo_activated.emit(index.data(PHOTO_ROLE)))

    def _fit_cells(self) -> None:
        cell = cell_size(self.fontMetrics())
        if cell == self.grid_model.cell and self.gridSize() == cell + QSize(4, 4):
            return   # a style or font event that leaves the cell as it is costs no relayout
        self.grid_model.cell = cell
        self.setGridSize(cell + QSize(4, 4))
        self.scheduleDelayedItemsLayout()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit_cells()   # a bigger system font keeps whole names under the thumbnails

    def selected_photos(self) -> list:
        """The selected photos in grid order."""
        rows = sorted(index.row() for index in self.selectionModel().selectedIndexes())
        return [self.grid_model.photos[row] for row in rows if row < len(self.grid_model.photos)]

    def contextMenuEvent(self, event) -> None:
        """Right-click: the photo under the pointer. The Menu key or Shift+F10: the current
        photo, wherever the pointer is."""
        index, pos = self.indexAt(event.pos()), event.pos()
        if event.reason() == QContextMenuEvent.Reason.Keyboard:
            index = self.currentIndex()
            pos = self.visualRect(index).center()
        if index.isValid():
            self.photo_menu.emit(index.data(PHOTO_ROLE), self.viewport().mapToGlobal(pos))
