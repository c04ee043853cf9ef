"""Accessibility basics on every page, checked as a keyboard user meets them: Tab reaches every
control, focus is visible on each, controls have names a screen reader can say, every key is
named where the action is and listed under Help, and text follows the system font."""
import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction, QFont, QKeySequence, QShortcut
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractSpinBox, QApplication, QComboBox,
                               QHeaderView, QLabel, QLineEdit, QSlider, QTabBar, QWidget)

from lookalike.desktop.main_window import PAGES

from .conftest import scanned_review

CONTROLS = (QAbstractButton, QLineEdit, QComboBox, QAbstractItemView, QAbstractSpinBox, QSlider, QTabBar)


def tab_cycle(window, start, on_each=None) -> list[QWidget]:
    """The widgets the Tab key visits, from `start` round to it again (real key presses, so
    the window knows the keyboard moved the focus). `on_each(widget)` runs while each holds it."""
    start.setFocus(Qt.FocusReason.TabFocusReason)
    QApplication.processEvents()
    seen = []
    for _ in range(300):
        widget = QApplication.focusWidget()
        if widget is None or (seen and widget is seen[0]):
            break
        seen.append(widget)
        if on_each:
            on_each(widget)
        QTest.keyClick(widget, Qt.Key.Key_Tab)
        QApplication.processEvents()
    return seen


def controls_on(page) -> list[QWidget]:
    return [w for w in page.findChildren(QWidget) if isinstance(w, CONTROLS) and w.isVisible() and w.isEnabled()
            and not isinstance(w, QHeaderView) and w.objectName() != "qt_tableview_cornerbutton"
            and not isinstance(w.parent(), QAbstractItemView)]   # scroll bars and editors of a view


def reachable(widget, cycle) -> bool:
    if widget in cycle:
        return True
    if isinstance(widget, QAbstractButton):
        group = widget.group()
        if group is not None and group.exclusive() and any(b in cycle for b in group.buttons()):
            return True   # a row of choices: Tab reaches the chosen one, the arrows the others
        if widget.focusPolicy() == Qt.FocusPolicy.NoFocus:
            # A button inside a card: the focused card answers its key (Delete, Return).
            return any(c.isAncestorOf(widget) for c in cycle)
    if isinstance(widget, QTabBar):
        return any(c.isAncestorOf(widget) or widget.isAncestorOf(c) for c in cycle) or widget in cycle
    return False


def spoken_name(widget) -> str:
    if widget.accessibleName():
        return widget.accessibleName()
    if isinstance(widget, QAbstractButton) and widget.text().strip():
        return widget.text()
    for label in widget.window().findChildren(QLabel):
        if label.buddy() is widget and label.text().strip():
            return label.text()
    return ""


@pytest.fixture()
def scanned_window(qtbot, open_window, sample_photos):
    window = open_window("phash")
    window.activateWindow()
    scanned_review(qtbot, window, sample_photos)
    return window


def pages(qtbot, window):
    """Each page in turn, and the Duplicates page twice: as cards and as the table."""
    for row, name in enumerate(PAGES):
        window.nav.setCurrentRow(row)
        qtbot.waitUntil(lambda: window.runner.idle, timeout=20000)
        qtbot.wait(100)
        yield name, window.pages.currentWidget()
        if name == "Duplicates":
            window.duplicates.tools.show_table(True)
            qtbot.wait(100)
            yield "Duplicates table", window.pages.currentWidget()
            window.duplicates.tools.show_table(False)


def test_tab_reaches_every_control_on_every_page_and_each_has_a_name_a_screen_reader_says(qtbot, scanned_window):
    window = scanned_window
    problems = []
    for name, page in pages(qtbot, window):
        cycle = tab_cycle(window, window.nav)
        for widget in controls_on(page):
            label = f"{name}: {type(widget).__name__} {widget.objectName()!r} {spoken_name(widget)!r}"
            if not reachable(widget, cycle):
                problems.append(f"not reachable by Tab: {label}")
            if not spoken_name(widget):
                problems.append(f"no accessible name: {label}")
        custom = [w for w in page.findChildren(QWidget) if type(w).__module__.startswith("lookalike.desktop")
                  and w.isVisible() and w.focusPolicy() & Qt.FocusPolicy.TabFocus]
        problems += [f"{name}: custom {type(w).__name__} has no accessible name" for w in custom
                     if not w.accessibleName()]
    assert not problems, "\n".join(problems)


def focus_blue(pixmap) -> int:
    """How many pixels are the focus outline's blue (#1e40af, give or take antialiasing)."""
    image = pixmap.toImage()
    return sum(abs(c.red() - 30) + abs(c.green() - 64) + abs(c.blue() - 175) < 60
               for y in range(image.height()) for x in range(image.width()) for c in [image.pixelColor(x, y)])


def changed_pixels(a, b) -> int:
    a, b = a.toImage(), b.toImage()
    if a.size() != b.size():
        return a.width() * a.height()
    return sum(a.pixel(x, y) != b.pixel(x, y) for y in range(0, a.height(), 1) for x in range(0, a.width(), 1))


def test_keyboard_focus_is_visible_on_every_control_tab_reaches(qtbot, scanned_window):
    window = scanned_window
    invisible = []
    for name, page in pages(qtbot, window):
        held = {}

        def look(widget):
            if widget.width() * widget.height() < 400_000:   # big views show it by their border too
                held[widget] = widget.grab()

        cycle = tab_cycle(window, window.nav, look)
        QApplication.focusWidget().clearFocus()   # Tab came round to the sidebar again
        for widget in cycle:   # each again, now that Tab has moved on from it
            if widget in held and (changed_pixels(held[widget], widget.grab()) < 20 or
                                   focus_blue(held[widget]) - focus_blue(widget.grab()) < 20):
                invisible.append(f"{name}: {type(widget).__name__} {spoken_name(widget)!r}")
    assert not invisible, "focus not visible on:\n" + "\n".join(invisible)


def test_every_key_is_named_in_its_tooltip_the_menus_and_help_and_ctrl_number_opens_a_page(qtbot, scanned_window):
    window = scanned_window
    for action in window.findChildren(QAction):
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if keys:
            assert f"({keys}" in action.toolTip() or f", {keys}" in action.toolTip(), action.text()
    for button in window.findChildren(QAbstractButton):
        keys = button.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if keys:
            assert f"({keys})" in button.toolTip(), button.text()
    unlisted = [s.key().toString() for s in window.findChildren(QShortcut) if not s.whatsThis()]
    assert not unlisted, f"shortcuts Help cannot list (no whatsThis): {unlisted}"

    menus = {a.text().replace("&", ""): a.menu() for a in window.menuBar().actions()}
    assert set(menus) == {"File", "Edit", "View", "Help"}
    file_keys = {a.text(): a.shortcut().toString() for a in menus["File"].actions() if a.text()}
    assert file_keys["Add folder…"] == "Ctrl+O" and file_keys["Scan now"] == "F5" and file_keys["&Quit"]

    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.pages.currentWidget() is window.search and window.nav.currentRow() == 2
    assert window.search.isAncestorOf(QApplication.focusWidget())   # on the page, not left in the sidebar
    assert window.nav.item(2).toolTip() == "Search (Ctrl+3)"

    from lookalike.desktop.dialogs.shortcuts_dialog import ShortcutsDialog
    from lookalike.desktop.keyboard import shortcut_rows

    rows = shortcut_rows(window)
    said = {(what, keys) for _, what, keys in rows}
    for wanted in [("Scan now", "F5"), ("Undo marks", "Ctrl+Z"), ("Duplicates", "Ctrl+1"),
                   ("Keyboard shortcuts", "F1, Ctrl+/"), ("Show them: flicker", "F")]:
        assert wanted in said, wanted
    dialog = ShortcutsDialog(rows, window)
    qtbot.addWidget(dialog)
    dialog.filter.setText("flicker")
    shown = [r for r in range(dialog.table.rowCount()) if not dialog.table.isRowHidden(r)]
    assert shown and all("flicker" in " ".join(rows[r]).lower() for r in shown)


def test_text_follows_the_system_font_size(qtbot, open_window):
    from lookalike.desktop.app import make_application

    app = QApplication.instance()
    before = QFont(app.font())
    window = open_window(None)
    title = window.welcome.findChild(QLabel, "welcomeTitle")
    small = (title.font().pointSizeF(), window.nav.width())
    try:
        bigger = QFont(before)
        bigger.setPointSizeF(before.pointSizeF() * 2)
        app.setFont(bigger)   # a user who reads large text starts the app
        make_application(["lookalike-test"])
        big_window = open_window(None, library_dir=window.library.path.parent / "lib2")
        big_title = big_window.welcome.findChild(QLabel, "welcomeTitle")
        assert big_title.font().pointSizeF() == pytest.approx(small[0] * 2, rel=0.05)
        longest = max(big_window.nav.fontMetrics().horizontalAdvance(p) for p in PAGES)
        assert big_window.nav.width() > small[1] and big_window.nav.width() >= longest + 40
        button = big_window.welcome.findChild(QAbstractButton)
        assert button.width() >= button.fontMetrics().horizontalAdvance(button.text()) + 20
        assert big_title.width() <= big_window.welcome.width()   # wrapped, not cut off
    finally:
        app.setFont(before)
    # Changed while the app runs: Qt tells every window (the tests run no event loop, so it is
    # sent here as Qt sends it), and the style sheet's text sizes follow.
    QApplication.sendEvent(window, QEvent(QEvent.Type.ApplicationFontChange))
    assert title.font().pointSizeF() == pytest.approx(small[0], rel=0.05)
