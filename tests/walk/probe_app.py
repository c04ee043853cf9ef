"""Starts the real desktop app (lookalike.desktop.app.main, exactly what `lookalike-gui` runs)
with one read-only probe added, for tests/walk/window_walk.py.

The probe never clicks or types: the walk drives the window with xdotool through the X server.
It only answers "where is what": when the walk creates PROBE.req, the probe writes PROBE.json
with every visible widget's class, object name, text and on-screen rectangle (root-window
pixels, what xdotool clicks), item views' rows (and current row), header sections, open menus'
actions (and which is active), slider values, the status bar's message, and the focused widget
(class, accessible name, rectangle). The walk uses it to find a button's position in the real layout instead
of guessing pixels, and to check state (rows of a table, sort order) beside the screenshots.

Run: python tests/walk/probe_app.py PROBE_PATH [lookalike-gui options]
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def _rect(widget) -> dict:
    top_left = widget.mapToGlobal(widget.rect().topLeft())
    return {"x": top_left.x(), "y": top_left.y(), "w": widget.width(), "h": widget.height()}


def _describe(widget) -> dict:
    from PySide6.QtCore import QModelIndex, Qt
    from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractSlider, QHeaderView, QLabel,
                                   QLineEdit, QMenu, QStatusBar)

    item = {"cls": type(widget).__name__, "name": widget.objectName(), **_rect(widget),
            "window": widget.window().objectName() or type(widget.window()).__name__,
            "title": widget.window().windowTitle(), "accessible": widget.accessibleName()}
    if isinstance(widget, (QAbstractButton, QLabel, QLineEdit)):
        item["text"] = widget.text()
        item["enabled"] = widget.isEnabled()
    if isinstance(widget, QAbstractButton):
        item["checked"] = widget.isChecked()
    if isinstance(widget, QAbstractSlider):
        item["value"] = widget.value()
    if isinstance(widget, QStatusBar):
        item["message"] = widget.currentMessage()
    if isinstance(widget, QHeaderView):
        model = widget.model()
        horizontal = widget.orientation().name == "Horizontal"
        sections = []
        for logical in range(widget.count()):
            if widget.isSectionHidden(logical):
                continue
            pos = widget.sectionViewportPosition(logical)
            size = widget.sectionSize(logical)
            label = model.headerData(logical, widget.orientation()) if model is not None else None
            origin = widget.viewport().mapToGlobal(widget.viewport().rect().topLeft())
            cx, cy = (origin.x() + pos + size // 2, origin.y() + widget.height() // 2) if horizontal else \
                     (origin.x() + widget.width() // 2, origin.y() + pos + size // 2)
            sections.append({"label": str(label), "logical": logical, "cx": cx, "cy": cy})
        item["sections"] = sections
        item["sort_column"] = widget.sortIndicatorSection() if widget.isSortIndicatorShown() else None
        item["sort_order"] = widget.sortIndicatorOrder().name
    elif isinstance(widget, QAbstractItemView):
        model = widget.model()
        rows = []
        if model is not None:
            origin = widget.viewport().mapToGlobal(widget.viewport().rect().topLeft())
            try:
                columns = model.columnCount(QModelIndex())
            except TypeError:   # a list model (QListWidget's own is private)
                columns = 1
            for row in range(min(model.rowCount(QModelIndex()), 400)):
                cells, checks = [], {}
                for column in range(columns):
                    index = model.index(row, column)
                    value = index.data()
                    cells.append("" if value is None else str(value))
                    state = index.data(Qt.ItemDataRole.CheckStateRole)
                    if state is not None:
                        checks[column] = Qt.CheckState(state).name if not isinstance(state, Qt.CheckState) else state.name
                rect = widget.visualRect(model.index(row, 0))
                rows.append({"cells": cells, "checks": checks,
                             "cx": origin.x() + rect.center().x(), "cy": origin.y() + rect.center().y(),
                             "visible": widget.viewport().rect().contains(rect)})   # wholly on screen
            item["row_count"] = model.rowCount(QModelIndex())
        item["rows"] = rows
        item["has_focus"] = widget.hasFocus()
        item["current_row"] = widget.currentIndex().row()
    if isinstance(widget, QMenu):
        actions = []
        for action in widget.actions():
            if action.isSeparator() or not action.isVisible():
                continue
            geometry = widget.actionGeometry(action)
            centre = widget.mapToGlobal(geometry.center())
            actions.append({"text": action.text(), "enabled": action.isEnabled(), "cx": centre.x(), "cy": centre.y(),
                            "active": action is widget.activeAction(), "submenu": action.menu() is not None})
        item["actions"] = actions
    return item


def install(probe: Path) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    request = probe.with_suffix(".req")

    def answer() -> None:
        if not request.exists():
            return
        request.unlink()
        widgets = []
        for top in QApplication.topLevelWidgets():
            if not top.isVisible():
                continue
            for widget in [top, *top.findChildren(QWidget)]:
                if widget.isVisible():
                    try:
                        widgets.append(_describe(widget))
                    except Exception as exc:   # one widget we cannot describe must not hide the rest
                        widgets.append({"cls": type(widget).__name__, "error": repr(exc)})
        focus = QApplication.focusWidget()
        active = QApplication.activeWindow()
        focus_widget = None
        if focus is not None:   # where the keyboard is: which widget, and its rectangle on screen
            focus_widget = {"cls": type(focus).__name__, "name": focus.objectName(),
                            "accessible": focus.accessibleName(), **_rect(focus),
                            "window": focus.window().objectName() or type(focus.window()).__name__}
            if hasattr(focus, "text") and callable(focus.text):
                try:
                    focus_widget["text"] = str(focus.text())
                except TypeError:
                    pass
        state = {"widgets": widgets, "focus": type(focus).__name__ if focus else None, "focus_widget": focus_widget,
                 "active_window": (active.objectName() or type(active).__name__) if active else None}
        tmp = probe.with_suffix(".tmp")
        tmp.write_text(json.dumps(state), encoding="utf-8")
        os.replace(tmp, probe)

    timer = QTimer(QApplication.instance())
    timer.timeout.connect(answer)
    timer.start(150)


def main() -> int:
    probe = Path(sys.argv[1]).resolve()
    from lookalike.desktop import app

    settle = app.settle_heap

    def settle_and_probe() -> None:   # main() calls it once, right after window.show()
        install(probe)
        settle()

    app.settle_heap = settle_and_probe
    sys.argv = [sys.argv[0], *sys.argv[2:]]
    return app.main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
