"""Photos compared the way people judge copies: synced zoom, flicker, slider, difference, why.

Owns: choosing the photos (buttons, a drop, "Compare with…" from any photo's menu, or a whole
duplicate group), the four modes (side by side with every photo on one shared zoom and pan;
flicker, slider and difference on A and B aligned by the match's transform), the patch map and
match overlay toggles (a patch map that needs a missing DINOv2 offers its download), the
verdict in words, every model's similarity with its meaning, and
the metadata table with differences marked. Must not: decode files, compute similarities or
draw evidence itself (the Library does, off the GUI thread; the canvas paints what it gets).
"""
from __future__ import annotations

import os
from functools import partial

from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QKeySequence, QPolygonF, QShortcut, QTransform
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QFileDialog, QHBoxLayout, QLabel, QPushButton,
                               QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget)

from lookalike.engine import IMAGE_EXTENSIONS
from lookalike.engine.errors import ModelUnavailable

from .. import operations as ops
from ..dialogs.notice import sentence
from ..dialogs.start_folder import remember, start_folder
from ..widgets.details_table import DetailsTable
from ..widgets.model_fix import ModelFix
from ..widgets.zoom_canvas import ViewState, ZoomCanvas

# The file types the engine scans, from its face (a new type there shows up here).
IMAGE_FILTER = "Images (" + " ".join(f"*{ext}" for ext in sorted(IMAGE_EXTENSIONS)) + ")"
LONGEST = 4096          # pictures are loaded up to this side: 1:1 pixels for photos up to ~12 MP
MODES = (("side", "Side by side", "S"), ("flicker", "Flicker", "F"), ("slider", "Slider", "W"),
         ("difference", "Difference", "D"))
GREEN, RED, GREY = QColor(46, 204, 113), QColor(231, 76, 60), QColor(170, 170, 170)
FLICKER_MS = 650
SIDE_BY_SIDE_MAX = 6
MAX_DOTS = 150           # matched points drawn per photo, evenly thinned


def _qimage(data, fmt=QImage.Format.Format_RGB888) -> QImage:
    width, height, raw = data
    depth = 4 if fmt == QImage.Format.Format_RGBA8888 else 3
    return QImage(raw, width, height, width * depth, fmt).copy()


def _affine(m) -> QTransform:
    (a, b, c), (d, e, f) = m
    return QTransform(a, d, b, e, c, f)


class CompareView(QWidget):
    def __init__(self, library, runner, downloads, parent=None) -> None:
        super().__init__(parent)
        self.library, self.runner = library, runner
        self.fix = ModelFix(downloads)   # "Download DINOv2 (88 MB)" when patch maps need it
        self.paths: list[str] = []
        self.a, self.b = 0, 1
        self.images: dict[str, QImage] = {}
        self.layers: dict[str, QImage] = {}
        self.explanation = None
        self._notes = {"align": "", "patches": ""}
        self._details: list = []
        self.mode = "side"
        self.state = ViewState(self)
        self.flicker = QTimer(self)
        self.flicker.setInterval(FLICKER_MS)
        self.flicker.timeout.connect(lambda: self.aligned.flick())

        bar = QHBoxLayout()
        self.mode_buttons = QButtonGroup(self)
        for key, text, shortcut in MODES:
            button = QPushButton(text)
            button.setCheckable(True)
            button.setToolTip(f"{text} ({shortcut})")
            button.setObjectName(f"mode-{key}")
            self.mode_buttons.addButton(button)
            button.clicked.connect(lambda _=False, k=key: self.set_mode(k))
            QShortcut(QKeySequence(shortcut), self, lambda k=key: self.set_mode(k),
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut).setWhatsThis(f"Show them: {text.lower()}")
            bar.addWidget(button)
        self.mode_buttons.buttons()[0].setChecked(True)
        bar.addSpacing(12)
        self.patch_button = self._toggle("Patch map", "P", "What DINOv2 sees: each photo's patches in "
                                         "colours shared across the photos (P)", self._patch_toggled)
        self.overlay_button = self._toggle("Match overlay", "M", "The blocks that line up (green) and "
                                           "those that do not (red), and the matched points (M)",
                                           self._show_overlay)
        bar.addWidget(self.patch_button)
        bar.addWidget(self.overlay_button)
        bar.addStretch(1)
        for text, tip, act in (("Fit", "Fit the photos (0)", self.state.fit),
                               ("1:1", "One photo pixel per screen pixel (1)", lambda: self._canvases()[0].one_to_one())):
            button = QPushButton(text)
            button.setToolTip(tip)
            button.clicked.connect(act)
            bar.addWidget(button)
        self.choose_a, self.choose_b = QComboBox(), QComboBox()
        for combo, label in ((self.choose_a, "A"), (self.choose_b, "B")):
            combo.setAccessibleName(f"Photo {label}")
            combo.currentIndexChanged.connect(self._pair_chosen)
            bar.addWidget(QLabel(label))
            bar.addWidget(combo)
        QShortcut(QKeySequence(Qt.Key.Key_Space), self, self._pause_flicker,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut).setWhatsThis("Pause or go on flickering")

        self.row = QHBoxLayout()
        self.canvases: list[ZoomCanvas] = []
        self.aligned = ZoomCanvas(self.state, "A and B aligned")
        self.aligned.hide()
        self.row.addWidget(self.aligned)
        pick = QHBoxLayout()
        for slot in range(2):
            button = QPushButton(f"Choose photo {'AB'[slot]}…")
            button.clicked.connect(lambda _=False, s=slot: self._choose(s))
            pick.addWidget(button)
        pick.addStretch(1)
        self.verdict = QLabel("Pick two photos to see how alike they are.")
        self.verdict.setObjectName("summaryLabel")
        self.verdict.setWordWrap(True)
        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.table = QTableWidget(0, 3)
        self.table.setTabKeyNavigation(False)   # Tab leaves the table; the arrows move in it
        self.table.setHorizontalHeaderLabels(["Model", "Similarity", "What it means here"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.details = DetailsTable()
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("How to compare")
        self.tabs.tabBar().setAccessibleName("How to compare")
        self.tabs.addTab(self.details, "Details")
        self.tabs.addTab(self.table, "Similarity")
        self.tabs.setMaximumHeight(260)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(self.row, 1)
        layout.addLayout(pick)
        layout.addWidget(self.verdict)
        layout.addWidget(self.note)
        layout.addWidget(self.fix)
        layout.addWidget(self.tabs)
        self._rebuild()

    def _toggle(self, text, shortcut, tip, slot) -> QPushButton:
        button = QPushButton(text)
        button.setCheckable(True)
        button.setToolTip(tip)
        button.toggled.connect(lambda _=False: slot())
        QShortcut(QKeySequence(shortcut), self, button.toggle,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut).setWhatsThis(f"Show or hide the {text.lower()}")
        return button

    # -- which photos -----------------------------------------------------------------------
    def _choose(self, slot: int) -> None:
        start = start_folder(self.library, "compare")   # the library, not the home folder
        path, _ = QFileDialog.getOpenFileName(self, "Choose a photo", start, IMAGE_FILTER)
        if path:
            remember("compare", path)
            self.set_photo(slot, path)

    def add(self, path: str) -> None:
        """'Compare with…': fills the first free slot (or replaces B)."""
        self.set_photo(min(len(self.paths), 1), path)

    def set_photo(self, slot: int, path: str) -> None:
        # The A and B on screen, not the first two of a group: choosing B keeps the chosen A.
        paths = [self.paths[i] for i in dict.fromkeys((self.a, self.b)) if i < len(self.paths)]
        if slot < len(paths):
            paths[slot] = path
        else:
            paths.append(path)
        self.set_photos(paths)

    def set_photos(self, paths) -> None:
        """A group (or a pair): every photo side by side; A and B are the first two."""
        self.paths = [os.fspath(p) for p in paths]
        self.a, self.b = 0, min(1, len(self.paths) - 1)
        self.explanation, self.layers = None, {}
        self._notes["patches"] = ""
        for combo in (self.choose_a, self.choose_b):
            combo.blockSignals(True)
            combo.clear()
            combo.addItems([os.path.basename(p) for p in self.paths])
            combo.blockSignals(False)
        self.choose_a.setCurrentIndex(self.a)
        self.choose_b.setCurrentIndex(self.b)
        for combo in (self.choose_a, self.choose_b):
            combo.setEnabled(len(self.paths) > 2)
        self.patch_button.setChecked(False)
        self._rebuild()
        for path in self.paths:
            if path not in self.images:
                self.runner.read(partial(ops.picture, self.library, path, LONGEST),
                                 partial(self._picture_ready, path),
                                 partial(self._picture_failed, path))
        self.runner.read(partial(ops.details, self.library, list(self.paths)), self._details_ready,
                         lambda exc: self.note.setText(sentence(exc)), key=ops.COMPARED_DETAILS)
        self._explain()

    def _pair_chosen(self) -> None:
        a, b = self.choose_a.currentIndex(), self.choose_b.currentIndex()
        if a >= 0 and b >= 0 and (a, b) != (self.a, self.b):
            self.a, self.b = a, b
            self.explanation = None
            if len(self._details) == len(self.paths):
                self._details_ready(self._details)   # the A and B column headings follow
            self._rebuild()
            self._explain()

    def _explain(self) -> None:
        if len(self.paths) < 2 or self.a == self.b:
            self.verdict.setText("Pick two photos to see how alike they are." if len(self.paths) < 2
                                 else "A and B are the same photo; pick another B.")
            return
        self.verdict.setText("Comparing…")
        a, b = self.paths[self.a], self.paths[self.b]
        self.runner.read(partial(ops.explain_match, self.library, a, b), self._explained,
                         lambda exc: self.verdict.setText(sentence(exc)), key=ops.COMPARISON)

    # -- results arriving -------------------------------------------------------------------
    def _picture_ready(self, path: str, data) -> None:
        self.images[path] = _qimage(data)
        self._refresh_canvases()

    def _picture_failed(self, path: str, exc) -> None:
        for canvas, shown in zip(self.canvases, self.paths):
            if shown == path:
                canvas.show_photo(None, sentence(exc))

    def _details_ready(self, details) -> None:
        self._details = details
        marks = {self.a: "A", self.b: "B"}
        self.details.show_details([f"{marks.get(i, i + 1)}: {os.path.basename(p)}"
                                   for i, p in enumerate(self.paths)], details)

    def _explained(self, explanation) -> None:
        self.explanation = explanation
        extra = f" {explanation.transform_words}." if explanation.transform_words else ""
        same = " The two files are byte-for-byte identical." if explanation.identical else ""
        self.verdict.setText(explanation.words + extra + same)
        self.table.setRowCount(len(explanation.scores))
        for row, score in enumerate(explanation.scores):
            value = "—" if score.similarity is None else f"{score.similarity:.3f}"
            meaning = "not on this computer" if score.similarity is None else score.meaning
            for col, text in enumerate((score.model, value, meaning)):
                item = QTableWidgetItem(text)
                item.setToolTip(score.verdict if score.similarity is None else score.meaning)
                self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()
        self._refresh_canvases()

    # -- modes and layers -------------------------------------------------------------------
    def set_mode(self, mode: str) -> None:
        self.mode = mode
        for button in self.mode_buttons.buttons():
            button.setChecked(button.objectName() == f"mode-{mode}")
        self._rebuild()

    def _pause_flicker(self) -> None:
        if self.mode != "flicker":
            return
        if self.flicker.isActive():
            self.flicker.stop()
        else:
            self.aligned.flick()
            self.flicker.start()

    def _canvases(self) -> list[ZoomCanvas]:
        return [self.aligned] if self.mode != "side" else (self.canvases or [self.aligned])

    def _rebuild(self) -> None:
        """Side by side: one canvas per photo; the other modes: one canvas with A and B."""
        shown = self.paths[:SIDE_BY_SIDE_MAX] if self.mode == "side" else []
        while len(self.canvases) > max(len(shown), 0):
            canvas = self.canvases.pop()
            self.row.removeWidget(canvas)
            canvas.hide()          # deleteLater alone waits for the event loop
            canvas.deleteLater()
        while len(self.canvases) < len(shown):
            canvas = ZoomCanvas(self.state, f"photo {len(self.canvases) + 1}")
            self.row.insertWidget(len(self.canvases), canvas)
            self.canvases.append(canvas)
        self.aligned.setVisible(self.mode != "side" or not shown)
        self.aligned.set_mode("single" if self.mode == "side" else self.mode)
        if self.mode == "flicker":
            self.flicker.start()
        else:
            self.flicker.stop()
        self._refresh_canvases()

    def _refresh_canvases(self) -> None:
        for canvas, path in zip(self.canvases, self.paths):
            canvas.show_photo(self.images.get(path), "Loading…")
            canvas.layer = self.layers.get(path) if self.patch_button.isChecked() else None
        if len(self.paths) >= 2 and self.a != self.b:
            a, b = self.paths[self.a], self.paths[self.b]
            self.aligned.show_photo(self.images.get(a), "Loading…")
            self.aligned.align(self.images.get(b), self._b_to_a())
            self.aligned.layer = self.layers.get(a) if self.patch_button.isChecked() else None
            self.aligned.other_layer = self.layers.get(b) if self.patch_button.isChecked() else None
        else:
            self.aligned.show_photo(self.images.get(self.paths[0]) if self.paths else None, "Choose a photo")
            self.aligned.align(None, QTransform())
        unaligned = (self.mode in ("slider", "difference", "flicker") and self.explanation is not None
                     and self.explanation.transform is None)
        self._notes["align"] = ("No single transform lines B up with A, so B is stretched over A's frame."
                                if unaligned else "")
        self.note.setText(" ".join(n for n in self._notes.values() if n))
        self._show_overlay()

    def _scale(self, index: int) -> float:
        """The loaded picture's pixels per photo pixel (pictures are loaded at most LONGEST)."""
        image = self.images.get(self.paths[index])
        size = self.explanation.size_a if index == self.a else self.explanation.size_b
        return image.width() / size[0] if image is not None and size[0] else 1.0

    def _b_to_a(self) -> QTransform:
        a_img, b_img = self.images.get(self.paths[self.a]), self.images.get(self.paths[self.b])
        if a_img is None or b_img is None:
            return QTransform()
        if self.explanation is None or self.explanation.transform is None:
            return QTransform.fromScale(a_img.width() / b_img.width(), a_img.height() / b_img.height())
        b_to_a, _ = _affine(self.explanation.transform).inverted()   # in the photos' own pixels
        ka, kb = self._scale(self.a), self._scale(self.b)
        return QTransform.fromScale(1 / kb, 1 / kb) * b_to_a * QTransform.fromScale(ka, ka)

    def _show_overlay(self) -> None:
        for canvas in self.canvases + [self.aligned]:
            canvas.shapes, canvas.dots = [], []
        explanation = self.explanation
        if self.overlay_button.isChecked() and explanation is not None:
            ka, kb = self._scale(self.a), self._scale(self.b)
            for block in explanation.blocks:
                colour = GREEN if block.aligned else RED
                poly_a = QPolygonF([QPointF(x * ka, y * ka) for x, y in block.corners_a])
                poly_b = QPolygonF([QPointF(x * kb, y * kb) for x, y in block.corners_b])
                self.aligned.shapes.append((poly_a, colour))
                if self.mode == "side" and len(self.canvases) > max(self.a, self.b):
                    self.canvases[self.a].shapes.append((poly_a, colour))
                    self.canvases[self.b].shapes.append((poly_b, colour))
            if self.mode == "side" and len(self.canvases) > max(self.a, self.b):
                rows = list(zip(explanation.points_a, explanation.points_b, explanation.inlier_flags))
                step = max(1, -(-len(rows) // MAX_DOTS))     # hundreds of dots hide the photo
                for (xa, ya), (xb, yb), fits in rows[::step]:
                    colour = GREEN if fits else GREY
                    self.canvases[self.a].dots.append((QPointF(xa * ka, ya * ka), colour))
                    self.canvases[self.b].dots.append((QPointF(xb * kb, yb * kb), colour))
        for canvas in self.canvases + [self.aligned]:
            canvas.update()

    def _patch_toggled(self) -> None:
        if self.patch_button.isChecked() and self.paths and not all(p in self.layers for p in self.paths):
            self._notes["patches"] = "Making patch maps…"
            self.runner.read(partial(ops.patch_maps, self.library, list(self.paths)),
                             partial(self._maps_ready, list(self.paths)), self._maps_failed,
                             label=ops.PATCH_MAPS, key=ops.SHOWN_PATCH_MAPS,
                             on_cancel=lambda: self.patch_button.setChecked(False))
        self._refresh_canvases()

    def _maps_ready(self, paths, result) -> None:
        layers, model = result
        if paths != self.paths:
            return
        self.layers = {p: _qimage(data, QImage.Format.Format_RGBA8888) for p, data in zip(paths, layers)}
        self._notes["patches"] = ""
        self.fix.clear()
        self.patch_button.setToolTip(f"Patch maps from {model}: the same colour, the same kind of part (P)")
        self._refresh_canvases()

    def _maps_failed(self, exc) -> None:
        self.patch_button.blockSignals(True)
        self.patch_button.setChecked(False)
        self.patch_button.blockSignals(False)
        if isinstance(exc, ModelUnavailable):   # said for the window, not for a terminal
            self._notes["patches"] = (f"No patch map: it needs the {exc.model} model, which is not on this "
                                      "computer.")
            self.fix.offer(exc.model, getattr(exc, "downloadable", None))
        else:
            self._notes["patches"] = f"No patch map: {sentence(exc)}"
        self._refresh_canvases()
