"""Tag chips: one checkable chip per tag ("screenshots · 12"), wrapping onto more rows.

Owns: showing the library's tags as chips (a tag that cannot be scored says so on its chip
and its tooltip: kind, cut-off and where it came from, quality or the problem), keeping one
selected across refreshes, and the flow layout that wraps them. Must not: read tags from the
engine (the tags view hands them in) or decide what selecting one shows.
"""
from __future__ import annotations

from typing import Optional, Sequence

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QLayout, QPushButton, QSizePolicy, QWidget


class FlowLayout(QLayout):
    """Lays its items out left to right, wrapping onto a new row when the width runs out."""

    def __init__(self, parent=None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int):
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int):
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self):
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, rect: QRect, move: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, row_height = area.x(), area.y(), 0
        for item in self._items:
            hint = item.sizeHint()
            if x + hint.width() > area.right() + 1 and row_height > 0:
                x, y, row_height = area.x(), y + row_height + self._spacing, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            row_height = max(row_height, hint.height())
        return y + row_height - rect.y() + margins.bottom()


def capitalised(text: str) -> str:
    """The engine's clauses ("finds 90% of its examples …") as a sentence's start."""
    return text[:1].upper() + text[1:]


def chip_text(tag) -> str:
    return f"{tag.name} · not scored" if tag.problem else f"{tag.name} · {tag.photos}"


def chip_tooltip(tag) -> str:
    kind = "Taught by example photos" if tag.kind == "example" else "Found by phrases: " + ", ".join(tag.phrases)
    lines = [kind]
    if tag.problem:
        lines.append("Cannot be scored yet: " + tag.problem)
        return "\n".join(lines)
    if tag.cutoff is not None:
        lines.append(f"{tag.photos} photos at or above the cut-off {tag.cutoff:.2f}, {tag.cutoff_source}")
    if tag.quality is not None:
        lines.append(capitalised(tag.quality.sentence()))
    return "\n".join(lines)


class TagChips(QWidget):
    selected = Signal(str)           # the tag the user picked (also when a refresh picks one)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("tagChips")
        self.flow = FlowLayout(self)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.group.buttonClicked.connect(lambda button: self.selected.emit(button.property("tag")))
        self.chips: dict[str, QPushButton] = {}
        sizing = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        sizing.setHeightForWidth(True)
        self.setSizePolicy(sizing)

    def set_tags(self, tags: Sequence, keep: Optional[str] = None) -> Optional[str]:
        """Shows `tags`, selecting `keep` if it is still there, else the first tag that can be
        scored, else the first. Returns the selected name (None: no tags)."""
        for chip in self.chips.values():
            self.group.removeButton(chip)
            self.flow.removeWidget(chip)
            chip.deleteLater()
        self.chips = {}
        for tag in tags:
            chip = QPushButton(chip_text(tag))
            chip.setObjectName("tagChip")
            chip.setCheckable(True)
            chip.setProperty("tag", tag.name)
            chip.setProperty("problem", bool(tag.problem))
            chip.setToolTip(chip_tooltip(tag))
            chip.setCursor(Qt.CursorShape.PointingHandCursor)
            self.group.addButton(chip)
            self.flow.addWidget(chip)
            self.chips[tag.name] = chip
        names = [t.name for t in tags]
        scorable = [t.name for t in tags if not t.problem]
        choice = keep if keep in names else (scorable or names or [None])[0]
        if choice is not None:
            self.chips[choice].setChecked(True)
        self.updateGeometry()
        return choice

    def current(self) -> Optional[str]:
        button = self.group.checkedButton()
        return button.property("tag") if button is not None else None

    def select(self, name: str) -> None:
        if name in self.chips:
            self.chips[name].setChecked(True)
            self.selected.emit(name)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self.flow.heightForWidth(width)
