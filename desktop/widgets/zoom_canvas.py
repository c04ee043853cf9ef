"""A photo canvas with zoom and pan that several canvases share, and the aligned compare modes.

Owns: ViewState (zoom relative to "fit" and the centre in the photo's normalised coordinates,
shared so every canvas of a comparison shows the same part of its photo), and ZoomCanvas, which
paints one photo, or two aligned by the match's transform: flicker (A and B in turn), slider
(A left of a split, B right of it), difference (|A - B| after alignment, brightened), plus the
patch map and match overlay layers. Wheel zooms at the cursor, dragging pans (in slider mode it
moves the split), keys: + and - zoom, 0 fits, 1 shows 1:1 pixels, arrows pan.
Must not: load or decode files (the compare view hands it QImages) or call the engine.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen, QPolygonF, QTransform
from PySide6.QtWidgets import QSizePolicy, QWidget

MIN_ZOOM, MAX_ZOOM = 0.25, 64.0
STEP = 1.25


class ViewState(QObject):
    changed = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.zoom = 1.0                  # 1 = the whole photo fits
        self.centre = QPointF(0.5, 0.5)  # the photo point at the canvas centre, 0..1 each way

    def set(self, zoom: float | None = None, centre: QPointF | None = None) -> None:
        if zoom is not None:
            self.zoom = min(MAX_ZOOM, max(MIN_ZOOM, zoom))
        if centre is not None:
            self.centre = QPointF(min(1.0, max(0.0, centre.x())), min(1.0, max(0.0, centre.y())))
        if self.zoom <= 1.0:
            self.centre = QPointF(0.5, 0.5)   # fitted or smaller: nothing to pan to
        self.changed.emit()

    def fit(self) -> None:
        self.set(zoom=1.0, centre=QPointF(0.5, 0.5))


class ZoomCanvas(QWidget):
    def __init__(self, state: ViewState, name: str = "photo", parent=None) -> None:
        super().__init__(parent)
        self.state = state
        self.setAccessibleName(name)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(220, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.photo: QImage | None = None
        self.other: QImage | None = None       # B, for the aligned modes
        self.other_to_photo = QTransform()     # B's pixels -> A's pixels
        self.mode = "single"                   # single | flicker | slider | difference
        self.split = 0.5
        self.showing_other = False
        self.layer: QImage | None = None       # the patch map over the photo
        self.other_layer: QImage | None = None
        self.shapes: list[tuple[QPolygonF, QColor]] = []   # match overlay, in the photo's pixels
        self.dots: list[tuple[QPointF, QColor]] = []
        self.text = "Choose a photo"
        self._drag: QPointF | None = None
        state.changed.connect(self.update)

    # -- what is shown ----------------------------------------------------------------------
    def show_photo(self, photo: QImage | None, text: str = "") -> None:
        self.photo, self.text = photo, text
        self.update()

    def align(self, other: QImage | None, other_to_photo: QTransform) -> None:
        self.other, self.other_to_photo = other, other_to_photo
        self.update()

    def set_mode(self, mode: str) -> None:
        self.mode, self.showing_other = mode, False
        self.update()

    def flick(self) -> None:
        self.showing_other = not self.showing_other
        self.update()

    def shown_name(self) -> str:
        return "B" if self.mode == "flicker" and self.showing_other else "A"

    # -- geometry ---------------------------------------------------------------------------
    def fit_scale(self) -> float:
        if self.photo is None or self.photo.isNull():
            return 1.0
        return min(self.width() / self.photo.width(), self.height() / self.photo.height())

    def photo_to_widget(self) -> QTransform:
        """The photo's pixels -> this widget's coordinates, from the shared view state."""
        w, h = self.photo.width(), self.photo.height()
        s = self.fit_scale() * self.state.zoom
        c = self.state.centre
        return (QTransform().translate(-c.x() * w, -c.y() * h) * QTransform().scale(s, s)
                * QTransform().translate(self.width() / 2, self.height() / 2))

    def one_to_one(self) -> None:
        """One photo pixel on one screen pixel."""
        self.state.set(zoom=1.0 / (self.fit_scale() * self.devicePixelRatioF()))

    # -- painting ---------------------------------------------------------------------------
    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(30, 30, 32))
        if self.photo is None or self.photo.isNull():
            painter.setPen(QColor(200, 200, 200))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.text)
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, self.state.zoom * self.fit_scale() < 2)
        to_widget = self.photo_to_widget()
        if self.mode == "difference" and self.other is not None:
            self._paint_difference(painter, to_widget)
        elif self.mode == "slider" and self.other is not None:
            cut = self.width() * self.split
            painter.setClipRect(QRectF(0, 0, cut, self.height()))
            self._paint_photo(painter, to_widget)
            painter.setClipRect(QRectF(cut, 0, self.width() - cut, self.height()))
            self._paint_other(painter, to_widget)
            painter.setClipping(False)
            painter.setPen(QPen(QColor(255, 255, 255), 2))
            painter.drawLine(QPointF(cut, 0), QPointF(cut, self.height()))
            self._label(painter, "A", 8)
            self._label(painter, "B", self.width() - 26)
        elif self.mode == "flicker" and self.other is not None and self.showing_other:
            self._paint_other(painter, to_widget)
            self._label(painter, "B", 8)
        else:
            self._paint_photo(painter, to_widget)
            if self.mode == "flicker":
                self._label(painter, "A", 8)
        if self.shapes or self.dots:
            self._paint_overlay(painter, to_widget)

    def _paint_photo(self, painter: QPainter, to_widget: QTransform) -> None:
        self._paint_image(painter, to_widget, self.photo, self.layer)

    def _paint_other(self, painter: QPainter, to_widget: QTransform) -> None:
        self._paint_image(painter, self.other_to_photo * to_widget, self.other, self.other_layer)

    @staticmethod
    def _paint_image(painter: QPainter, transform: QTransform, image: QImage, layer: QImage | None) -> None:
        """`image` in its own pixels through `transform`, its patch map over it if shown."""
        painter.setTransform(transform)
        target = QRectF(0, 0, image.width(), image.height())
        painter.drawImage(target, image)
        if layer is not None:
            opacity = painter.opacity()
            painter.setOpacity(0.7 * opacity)
            painter.drawImage(target, layer)
            painter.setOpacity(opacity)
        painter.resetTransform()

    def _paint_difference(self, painter: QPainter, to_widget: QTransform) -> None:
        """|A - B| where B covers A, brightened; A faint around it for orientation."""
        scratch = QImage(self.size(), QImage.Format.Format_RGB32)
        scratch.fill(QColor(0, 0, 0))
        pen = QPainter(scratch)
        pen.setTransform(to_widget)
        pen.drawImage(QRectF(0, 0, self.photo.width(), self.photo.height()), self.photo)
        pen.setCompositionMode(QPainter.CompositionMode.CompositionMode_Difference)
        pen.setTransform(self.other_to_photo * to_widget)
        pen.drawImage(QRectF(0, 0, self.other.width(), self.other.height()), self.other)
        pen.end()
        painter.setOpacity(0.25)
        self._paint_photo(painter, to_widget)
        painter.setOpacity(1.0)
        footprint = (self.other_to_photo * to_widget).map(QPolygonF(QRectF(0, 0, self.other.width(),
                                                                            self.other.height())))
        path = QPainterPath()
        path.addPolygon(footprint)
        painter.setClipPath(path)
        painter.drawImage(0, 0, scratch)
        # Brightened four times (added to itself three times): small differences show.
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Plus)
        for _ in range(3):
            painter.drawImage(0, 0, scratch)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
        painter.setClipping(False)

    def _paint_overlay(self, painter: QPainter, to_widget: QTransform) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for polygon, colour in self.shapes:
            fill = QColor(colour)
            fill.setAlpha(70)
            painter.setBrush(fill)
            painter.setPen(QPen(colour, 1))
            painter.drawPolygon(to_widget.map(polygon))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for point, colour in self.dots:
            painter.setPen(QPen(colour, 1.5))
            painter.drawEllipse(to_widget.map(point), 2.5, 2.5)

    def _label(self, painter: QPainter, text: str, x: float) -> None:
        painter.fillRect(QRectF(x, 8, 18, 20), QColor(0, 0, 0, 170))
        painter.setPen(QColor(255, 255, 255))
        painter.drawText(QRectF(x, 8, 18, 20), Qt.AlignmentFlag.AlignCenter, text)

    # -- input ------------------------------------------------------------------------------
    def wheelEvent(self, event) -> None:
        if self.photo is None:
            return
        steps = event.angleDelta().y() / 120
        if not steps:
            return
        self._zoom_at(STEP ** steps, event.position())

    def _zoom_at(self, factor: float, at: QPointF) -> None:
        """Zooms keeping the photo point under `at` where it is."""
        before, _ = self.photo_to_widget().inverted()
        point = before.map(at)
        zoom = min(MAX_ZOOM, max(MIN_ZOOM, self.state.zoom * factor))
        s = self.fit_scale() * zoom
        w, h = self.photo.width(), self.photo.height()
        centre = QPointF((point.x() - (at.x() - self.width() / 2) / s) / w,
                         (point.y() - (at.y() - self.height() / 2) / s) / h)
        self.state.set(zoom=zoom, centre=centre)

    def mousePressEvent(self, event) -> None:
        self.setFocus()
        self._drag = event.position()
        if self.mode == "slider":
            self._move_split(event.position().x())

    def mouseMoveEvent(self, event) -> None:
        if self._drag is None or self.photo is None:
            return
        if self.mode == "slider" and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self._move_split(event.position().x())
            return
        self.pan(event.position() - self._drag)
        self._drag = event.position()

    def mouseReleaseEvent(self, _event) -> None:
        self._drag = None

    def pan(self, delta: QPointF) -> None:
        """Moves the photo by `delta` screen pixels."""
        s = self.fit_scale() * self.state.zoom
        c = self.state.centre
        self.state.set(centre=QPointF(c.x() - delta.x() / (s * self.photo.width()),
                                      c.y() - delta.y() / (s * self.photo.height())))

    def _move_split(self, x: float) -> None:
        self.split = min(1.0, max(0.0, x / max(1, self.width())))
        self.update()

    def keyPressEvent(self, event) -> None:
        key = event.key()
        if self.photo is None:
            return super().keyPressEvent(event)
        centre = QPointF(self.width() / 2, self.height() / 2)
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self._zoom_at(STEP, centre)
        elif key == Qt.Key.Key_Minus:
            self._zoom_at(1 / STEP, centre)
        elif key == Qt.Key.Key_0:
            self.state.fit()
        elif key == Qt.Key.Key_1:
            self.one_to_one()
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down):
            step = 0.1 * min(self.width(), self.height())
            dx = {Qt.Key.Key_Left: step, Qt.Key.Key_Right: -step}.get(key, 0)
            dy = {Qt.Key.Key_Up: step, Qt.Key.Key_Down: -step}.get(key, 0)
            self.pan(QPointF(dx, dy))
        else:
            super().keyPressEvent(event)
