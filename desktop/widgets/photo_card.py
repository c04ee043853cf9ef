"""One photo of a duplicate group: thumbnail, facts, the keeper badge, and keep/remove.

Owns: showing a DuplicateFile with its mark (a state line; the button names the action, "Mark
for removal" / "Keep") and toggling it (its button, Delete), a focus ring of its own, asking for the
viewer (Space, double-click), and its unit: the companions
(RAW/JPEG partner, Live Photo video, sidecars) that are kept or removed with it. Must not: save marks (the
duplicates view does, through the job runner).
"""
from __future__ import annotations

import os

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QSizePolicy, QVBoxLayout

from lookalike.engine import human_size

CARD_THUMB = 220
FOCUS_RING = "#1e40af"   # keyboard focus (the style sheet's outline colour), apart from the mark's border
STATE_WORDS = {"keep": "✓ Kept", "remove": "✕ Marked for removal"}
ACTION_WORDS = {"keep": "Mark for removal", "remove": "Keep"}   # what a click does, not the state
COMPANION_WORDS = {"live": "Live Photo video", "sidecar": "sidecar"}


def companion_word(companion) -> str:
    """'RAW', 'JPEG', 'Live Photo video', 'sidecar': what a companion is, for the card."""
    if companion.role == "partner":
        return companion.format or "RAW/JPEG partner"
    return COMPANION_WORDS.get(companion.role, companion.role)


def unit_text(file) -> tuple[str, str]:
    """(badge, tooltip) naming the file's companions and saying they move together; ("", "")
    for a photo on its own."""
    companions = tuple(getattr(file, "companions", ()) or ())
    if not companions:
        return "", ""
    words = list(dict.fromkeys(companion_word(c) for c in companions))
    badge = ", ".join(f"+ {w}" for w in words) + " · move together"
    tip = ("Kept or removed together with this photo:\n" +
           "\n".join(f"{os.path.basename(c.path)} ({companion_word(c)}, {human_size(c.bytes)})" for c in companions))
    return badge, tip


def short_folder(path: str) -> str:
    """The last two folder names ('…/Pictures/Exports'); the tooltip has the whole path."""
    parts = os.path.dirname(path).split(os.sep)
    return os.sep.join(parts) if len(parts) <= 3 else "…" + os.sep + os.sep.join(parts[-2:])


class PhotoCard(QFrame):
    toggled = Signal(int, str)          # file id, new mark
    menu_requested = Signal(object, object)
    navigate = Signal(int)              # -1 / +1: the previous / next photo of the group
    navigate_group = Signal(int)        # -1 / +1: the previous / next group
    focused = Signal()
    accept_group = Signal()             # Enter: the group's marks as shown are the user's, on to the next
    view_requested = Signal()           # Space or a double-click: the photo large, in the viewer

    def __init__(self, file, mark: str, keeper_reason: str = "", parent=None) -> None:
        super().__init__(parent)
        self.file = file
        self.mark = mark
        self.keeper_reason = keeper_reason   # why the preset keeps this file ("" if it does not)
        self._shown_with = mark              # a different mark now is the user's own choice
        self.setObjectName("photoCard")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFixedWidth(CARD_THUMB + 24)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Maximum)
        self.thumb = QLabel()
        self.thumb.setFixedSize(CARD_THUMB, CARD_THUMB)
        self.thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thumb.setObjectName("cardThumb")
        self.badge = QLabel()
        self.badge.setObjectName("keeperBadge")
        self.badge.setWordWrap(True)
        facts = [f"{file.width}×{file.height} · {human_size(file.bytes)} · {file.format or '?'}" if file.width
                 else f"{human_size(file.bytes)} · {file.format or '?'}",
                 f"Taken {file.taken_at.replace('T', ' ')}" if file.taken_at else "No capture date",
                 f"{os.path.basename(file.path)}",
                 f"in {short_folder(file.path)}",
                 f"Similarity {file.similarity:.3f} ({file.match})"]
        self.info = QLabel("\n".join(facts))
        self.info.setObjectName("cardInfo")
        self.info.setToolTip(file.path)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        text, tip = unit_text(file)
        self.unit = QLabel(text)
        self.unit.setObjectName("unitBadge")
        self.unit.setWordWrap(True)
        self.unit.setToolTip(tip)
        self.unit.setVisible(bool(text))
        self.state = QLabel()
        self.state.setObjectName("markState")
        self.button = QPushButton()
        self.button.setToolTip("Delete also toggles keep / remove")
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.button.clicked.connect(self.toggle)
        self.button.setEnabled(not file.reference)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        for widget in (self.thumb, self.badge, self.info, self.unit, self.state, self.button):
            layout.addWidget(widget)
        self._show_mark()

    def set_pixmap(self, pixmap) -> None:
        if pixmap is not None:
            self.thumb.setPixmap(pixmap.scaled(CARD_THUMB, CARD_THUMB, Qt.AspectRatioMode.KeepAspectRatio,
                                               Qt.TransformationMode.SmoothTransformation))

    def set_mark(self, mark: str) -> None:
        if self.file.reference and mark == "remove":
            return
        if mark != self.mark:
            self.mark = mark
            self._show_mark()
            self.toggled.emit(self.file.file_id, mark)

    def toggle(self) -> None:
        self.set_mark("keep" if self.mark == "remove" else "remove")

    def _show_mark(self) -> None:
        self.setProperty("mark", self.mark)
        self.state.setText(STATE_WORDS.get(self.mark, self.mark))
        self.button.setText(ACTION_WORDS.get(self.mark, "Keep"))
        self.setAccessibleName(f"{os.path.basename(self.file.path)}, {STATE_WORDS.get(self.mark, self.mark)}")
        self.badge.setText(self._badge_text())
        self.badge.setVisible(bool(self.badge.text()))
        for widget in (self, self.badge):   # the badge's colours follow the card's mark
            widget.style().unpolish(widget)
            widget.style().polish(widget)

    def _badge_text(self) -> str:
        """The badge follows the mark: a file marked for removal never says it is kept."""
        if self.file.reference:
            return "Reference folder: never touched"
        if self.mark == "remove":
            return "✕ Marked for removal (your choice)" if self.keeper_reason else ""
        if self.keeper_reason:
            return "★ " + self.keeper_reason[0].upper() + self.keeper_reason[1:]
        return "★ Kept: your choice" if self.mark != self._shown_with else ""

    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        self.focused.emit()
        self.update()

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        self.update()

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if self.hasFocus():   # a ring of its own inside the border, so the mark's colour stays
            painter = QPainter(self)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(QPen(QColor(FOCUS_RING), 3))
            painter.drawRoundedRect(QRectF(self.rect()).adjusted(5.5, 5.5, -5.5, -5.5), 7, 7)
            painter.end()

    def keyPressEvent(self, event) -> None:
        # Handled here: the scroll area around the cards would take the arrows for scrolling.
        key = event.key()
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            self.navigate.emit(-1 if key == Qt.Key.Key_Left else 1)
        elif key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.navigate_group.emit(-1 if key == Qt.Key.Key_Up else 1)
        elif key == Qt.Key.Key_Space:
            self.view_requested.emit()
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.toggle()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.accept_group.emit()
        else:
            super().keyPressEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:
        self.view_requested.emit()

    def contextMenuEvent(self, event) -> None:
        self.menu_requested.emit(self.file, event.globalPos())
