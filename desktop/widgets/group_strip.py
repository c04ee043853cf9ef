"""A duplicate group's row in the review list: a strip of its photos and a line of its sizes.

Owns: the one-column group list and what each of its rows shows and says. The strip puts the
proposal's keeper first, framed in green with a check mark while it is kept; photos marked for
removal are dimmed under a red cross; past the strip's room a "+N" cell counts the rest. Under
the strip a line gives the reclaimable space, tier, count and total size. Owns the row's
tooltip and accessible name (the same sentence) and repainting a shown row when one of its
thumbnails lands. Sizes follow the font, so rows grow with the user's text size; a list too
narrow for the whole strip shows fewer cells and a larger count. Must not: load pictures itself
(the ThumbnailLoader does, off the GUI thread), change or save marks, or know which group is open.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QTreeWidget

from lookalike.engine import human_size

from .photo_grid import THUMB
from .thumbnails import thumbnail_key

STRIP_ROLE = Qt.ItemDataRole.UserRole + 1   # a GroupRow
MAX_CELLS = 6       # cells a row shows at most; a longer group shows MAX_CELLS - 1 and "+N"
MIN_CELLS = 5       # the list is never narrower than this many cells
PAD, GAP = 7, 5     # around the row's content; between cells and between strip and text
KEEP = QColor("#16a34a")
REMOVE = QColor("#dc2626")
EMPTY = QColor("#e4e4e7")     # a cell whose thumbnail has not landed (or cannot be made)
EDGE = QColor("#d4d4d8")
MUTED = QColor("#52525b")


@dataclass(frozen=True)
class StripPhoto:
    file: object        # the DuplicateFile
    mark: str           # "keep" | "remove"
    badged: bool        # kept and would otherwise go: the proposal's keeper, or the user's pick


@dataclass(frozen=True)
class GroupRow:
    photos: tuple[StripPhoto, ...]   # the keeper first, then the group's order
    facts: str                       # "near · 3 photos · 4.2 MB"
    reclaimable: str                 # "1.2 MB reclaimable"
    description: str                 # the tooltip and accessible name

    def cells(self, room: int) -> tuple[tuple[StripPhoto, ...], int]:
        """The photos that get a thumbnail in `room` cells, and how many the "+N" cell counts."""
        room = max(1, min(room, MAX_CELLS))
        if len(self.photos) <= room:
            return self.photos, 0
        shown = self.photos[:max(1, room - 1)]
        return shown, len(self.photos) - len(shown)


def group_row(group, proposal, marks: dict) -> GroupRow:
    """What a group's row shows for the marks as they are now."""
    keeper = proposal.keeper
    proposed_removals = {f.file_id for f in proposal.remove}
    ordered = [keeper] + [f for f in group.files if f is not keeper and f.file_id != keeper.file_id]
    photos = []
    for f in ordered:
        mark = marks.get(f.file_id, "keep")
        badged = mark == "keep" and (f.file_id == keeper.file_id or f.file_id in proposed_removals)
        photos.append(StripPhoto(f, mark, badged))
    kept = [p.file for p in photos if p.mark == "keep"]
    removing = len(photos) - len(kept)
    if not kept:
        keep = "nothing kept"
    else:  # the keeper leads the list of kept photos (it is first), so it is the one named
        keep = f"keep {os.path.basename(kept[0].path)}" + (f" and {len(kept) - 1} more" if len(kept) > 1 else "")
    reclaimable = f"{human_size(group.reclaimable_bytes)} reclaimable"
    kind = f"{group.tier} · burst series" if getattr(group, "series", False) else group.tier
    description = (f"{len(photos)} photos, {kind.replace(' · ', ', ')}, {keep}, {reclaimable}"
                   + (f", {removing} marked for removal" if removing else ""))
    return GroupRow(tuple(photos), f"{kind} · {len(photos)} photos · {human_size(group.total_bytes)}",
                    reclaimable, description)


def set_group_row(item, row: GroupRow) -> None:
    """Puts a GroupRow on a QTreeWidgetItem: painted by the delegate, read by screen readers."""
    item.setData(0, STRIP_ROLE, row)
    item.setText(0, row.description)     # also what type-to-find and copy see
    item.setToolTip(0, row.description)
    item.setData(0, Qt.ItemDataRole.AccessibleTextRole, row.description)


def cell_size(metrics) -> int:
    """A thumbnail cell's side: over three text lines tall, so it grows with the font."""
    return max(48, round(3.4 * metrics.height()))


def cell_rects(rect: QRect, metrics, count: int) -> list[QRect]:
    """Where a row in `rect` paints its `count` cells (thumbnails, then any "+N")."""
    side = cell_size(metrics)
    return [QRect(rect.left() + PAD + i * (side + GAP), rect.top() + PAD, side, side) for i in range(count)]


def row_width(metrics, cells: int) -> int:
    """How wide a row with that many cells is."""
    return 2 * PAD + cells * cell_size(metrics) + (cells - 1) * GAP


def room(width: int, metrics) -> int:
    """How many cells fit across a row `width` wide: a narrow list shows fewer and counts more."""
    return (width - 2 * PAD + GAP) // (cell_size(metrics) + GAP)


def badge_rect(cell: QRect) -> QRect:
    """The keeper's check mark: the cell's bottom-right corner."""
    side = max(14, cell.width() // 3)
    return QRect(cell.right() - side + 2, cell.bottom() - side + 2, side, side)


def cross_rect(cell: QRect) -> QRect:
    """A removal's red cross: the cell's top-right corner."""
    side = max(14, cell.width() // 3)
    return QRect(cell.right() - side + 2, cell.top() - 1, side, side)


class GroupList(QTreeWidget):
    """The one-column group list: it asks for the width of a full strip, and may be narrower."""

    def __init__(self, loader, parent=None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Duplicate groups")
        self.setHeaderLabels(["Groups"])
        self.setHeaderHidden(True)      # each row says its sizes under its photos
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.strips = GroupStripDelegate(loader, self)
        self.setItemDelegate(self.strips)
        self.setMinimumWidth(self._width_for(MIN_CELLS))

    def _width_for(self, cells: int) -> int:
        scrollbar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        return row_width(self.fontMetrics(), cells) + scrollbar + 2 * self.frameWidth() + 2

    def sizeHint(self) -> QSize:
        return QSize(self._width_for(MAX_CELLS), super().sizeHint().height())


class GroupStripDelegate(QStyledItemDelegate):
    """Paints GroupRow items of a one-column item view."""

    def __init__(self, loader, view) -> None:
        super().__init__(view)
        self.loader, self.view = loader, view
        loader.ready.connect(self._thumbnail_ready)

    def sizeHint(self, option, index) -> QSize:
        metrics = option.fontMetrics
        return QSize(row_width(metrics, MAX_CELLS), 2 * PAD + cell_size(metrics) + GAP + metrics.height())

    def paint(self, painter: QPainter, option, index) -> None:
        row = index.data(STRIP_ROLE)
        if not isinstance(row, GroupRow):
            super().paint(painter, option, index)
            return
        background = QStyleOptionViewItem(option)
        self.initStyleOption(background, index)
        background.text = ""     # the style paints selection, hover and focus; the rest is ours
        widget = option.widget
        (widget.style() if widget else QApplication.style()).drawControl(
            QStyle.ControlElement.CE_ItemViewItem, background, painter, widget)
        painter.save()
        painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
        metrics = option.fontMetrics
        shown, more = row.cells(room(option.rect.width(), metrics))
        cells = cell_rects(option.rect, metrics, len(shown) + (1 if more else 0))
        for photo, cell in zip(shown, cells):
            self._paint_photo(painter, photo, cell)
        if more:
            self._paint_more(painter, more, cells[-1], option.font)
        self._paint_facts(painter, row, option, cells[0].bottom() + GAP)
        painter.restore()

    def _paint_photo(self, painter: QPainter, photo: StripPhoto, cell: QRect) -> None:
        frame = QPainterPath()
        frame.addRoundedRect(QRectF(cell), 5, 5)
        pixmap = self.loader.pixmap(photo.file, THUMB)   # None queues the load; ready repaints
        painter.save()
        painter.setClipPath(frame)
        painter.fillRect(cell, EMPTY)
        if photo.mark == "remove":
            painter.setOpacity(0.35)
        if pixmap is not None and not pixmap.isNull():
            # Filled, not fitted: every cell the same square, the picture's middle in view.
            scale = max(cell.width() / pixmap.width(), cell.height() / pixmap.height())
            w, h = cell.width() / scale, cell.height() / scale
            source = QRectF((pixmap.width() - w) / 2, (pixmap.height() - h) / 2, w, h)
            painter.drawPixmap(QRectF(cell), pixmap, source)
        painter.restore()
        if photo.badged:
            painter.setPen(QPen(KEEP, 3))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(QRectF(cell).adjusted(1.5, 1.5, -1.5, -1.5), 5, 5)
            self._paint_mark(painter, badge_rect(cell), KEEP, check=True)
        else:
            painter.setPen(QPen(EDGE, 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(QRectF(cell).adjusted(0.5, 0.5, -0.5, -0.5), 5, 5)
        if photo.mark == "remove":
            self._paint_mark(painter, cross_rect(cell), REMOVE, check=False)

    @staticmethod
    def _paint_mark(painter: QPainter, rect: QRect, colour: QColor, check: bool) -> None:
        """A filled disc with a white check or cross: drawn, not a glyph, so no font lacks it."""
        painter.setPen(QPen(QColor("white"), 1.5))
        painter.setBrush(colour)
        painter.drawEllipse(QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5))
        r = QRectF(rect)
        s = r.width()
        painter.setPen(QPen(QColor("white"), max(2.0, s / 8), Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                            Qt.PenJoinStyle.RoundJoin))
        if check:
            painter.drawPolyline([QPointF(r.left() + s * 0.28, r.top() + s * 0.52),
                                  QPointF(r.left() + s * 0.44, r.top() + s * 0.68),
                                  QPointF(r.left() + s * 0.72, r.top() + s * 0.36)])
        else:
            painter.drawLine(QPointF(r.left() + s * 0.33, r.top() + s * 0.33),
                             QPointF(r.right() - s * 0.33, r.bottom() - s * 0.33))
            painter.drawLine(QPointF(r.right() - s * 0.33, r.top() + s * 0.33),
                             QPointF(r.left() + s * 0.33, r.bottom() - s * 0.33))

    @staticmethod
    def _paint_more(painter: QPainter, more: int, cell: QRect, font: QFont) -> None:
        painter.setPen(QPen(EDGE, 1))
        painter.setBrush(QColor("#f4f4f5"))
        painter.drawRoundedRect(QRectF(cell).adjusted(0.5, 0.5, -0.5, -0.5), 5, 5)
        bold = QFont(font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(MUTED)
        painter.drawText(cell, Qt.AlignmentFlag.AlignCenter, f"+{more}")

    @staticmethod
    def _paint_facts(painter: QPainter, row: GroupRow, option, top: int) -> None:
        """The reclaimable space in bold (the list is sorted by it), then tier, count and size."""
        metrics = option.fontMetrics
        area = QRect(option.rect.left() + PAD, top, option.rect.width() - 2 * PAD, metrics.height())
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(option.palette.color(QPalette.ColorRole.Text))
        lead = painter.fontMetrics().elidedText(row.reclaimable, Qt.TextElideMode.ElideRight, area.width())
        painter.drawText(area, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, lead)
        used = painter.fontMetrics().horizontalAdvance(lead)
        painter.setFont(option.font)
        painter.setPen(MUTED)
        rest = area.adjusted(used, 0, 0, 0)
        tail = metrics.elidedText(f"  ·  {row.facts}", Qt.TextElideMode.ElideRight, max(0, rest.width()))
        painter.drawText(rest, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, tail)

    def _thumbnail_ready(self, key: tuple) -> None:
        """Repaints the shown rows with that thumbnail; rows scrolled away paint it when shown."""
        view, model = self.view, self.view.model()
        viewport = view.viewport()
        first = view.indexAt(QPoint(1, 1))
        row = first.row() if first.isValid() else 0
        while row < model.rowCount():
            index = model.index(row, 0)
            rect = view.visualRect(index)
            if rect.top() > viewport.height():
                break
            data = index.data(STRIP_ROLE)
            if isinstance(data, GroupRow) and any(thumbnail_key(p.file, THUMB) == key
                                                   for p in data.photos[:MAX_CELLS]):
                viewport.update(rect)
            row += 1
