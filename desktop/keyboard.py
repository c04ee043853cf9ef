"""The window's keys: its menu bar, the page shortcuts, tooltips that name each key, and the
list the Keyboard shortcuts window shows.

Owns: which key does what at the window level (menus File, Edit, View, Help; Ctrl+1…6 for
the pages), naming every key in its action's or button's tooltip, and collecting every key in
the window (actions, buttons, QShortcuts described by their whatsThis) into one list, so the
list can never drift from the keys that really work. Must not: act on the library (it wires
actions to the window's own slots).
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QContextMenuEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QApplication, QLabel, QWidget

from .dialogs.shortcuts_dialog import ShortcutsDialog

NATIVE = QKeySequence.SequenceFormat.NativeText

# Keys a focused widget handles itself (no action or shortcut object carries them): shown in
# the Keyboard shortcuts window beside the ones gathered from the window.
WIDGET_KEYS = [
    ("Duplicates", "Next / previous photo in the group", "Right, Left"),
    ("Duplicates", "Next / previous group", "Down, Up"),
    ("Duplicates", "Keep or remove the focused photo", "Delete"),
    ("Duplicates", "Open the focused photo in the viewer", "Space"),
    ("Duplicates", "Open the focused photo with its program", "Return"),
    ("Photos, Search, Tags", "Open the selected photo in the viewer", "Space"),
    ("Photos, Search, Tags", "Choose photos", "Arrows, Shift+Arrows, Ctrl+A"),
    ("Viewer", "Zoom in / out / fit / one to one", "+, −, 0, 1"),
    ("Viewer, Compare", "Move a zoomed photo", "Arrows"),
    ("Tags, Compare", "Choose another tag or mode in a row of buttons", "Left, Right"),
    ("Menus, context menus", "Open the menu of the focused item", "Menu, Shift+F10"),
    ("Everywhere", "Move between controls", "Tab, Shift+Tab"),
]


def buddy(text: str, widget: QWidget) -> QLabel:
    """A label for `widget`: its name for screen readers, and Alt+ its underlined letter
    (`text` marks it with &) moves the keyboard there."""
    label = QLabel(text)
    label.setBuddy(widget)
    return label


def keys_text(shortcuts) -> str:
    return ", ".join(k.toString(NATIVE) for k in shortcuts if not k.isEmpty())


def _name_key(action: QAction) -> None:
    keys = keys_text(action.shortcuts())
    tip = action.toolTip() or action.text().replace("&", "")
    if keys and not tip.endswith(f"({keys})"):
        action.setToolTip(f"{tip} ({keys})")


def name_keys(root: QWidget) -> None:
    """Appends each action's and button's key to its tooltip ("Scan now (F5)"), and again
    whenever the action's tooltip is set anew (Pause watching says why it is off)."""
    for action in root.findChildren(QAction):
        if keys_text(action.shortcuts()):
            _name_key(action)
            action.changed.connect(lambda a=action: _name_key(a))
    for button in root.findChildren(QAbstractButton):
        keys = keys_text([button.shortcut()])
        tip = button.toolTip() or button.text().replace("&", "")
        if keys and f"({keys})" not in tip:
            button.setToolTip(f"{tip} ({keys})")


def _action(window, text: str, keys, slot, menu) -> QAction:
    action = QAction(text, window)
    action.setShortcuts([QKeySequence(k) for k in keys])
    action.triggered.connect(slot)
    menu.addAction(action)
    window.addAction(action)   # works while the menu bar is hidden, too
    return action


def build_menus(window, pages: list[str]) -> None:
    """File, Edit, View and Help, with every toolbar action in a menu that shows its key."""
    bar = window.menuBar()
    file = bar.addMenu("&File")
    window.add_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Open))
    window.scan_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
    window.pause_action.setShortcut(QKeySequence("Ctrl+Shift+P"))
    window.prefs_action.setShortcut(QKeySequence("Ctrl+,"))
    for action in (window.add_action, window.scan_action, window.pause_action):
        file.addAction(action)
        window.addAction(action)
    file.addSeparator()
    file.addAction(window.prefs_action)
    window.addAction(window.prefs_action)
    file.addSeparator()
    # The platform's Quit key, or Ctrl+Q where the platform names none (it then had no key at all).
    quit_keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Quit) or ["Ctrl+Q"]
    _action(window, "&Quit", quit_keys, window.close, file)
    edit = bar.addMenu("&Edit")
    edit.addAction(window.decisions_action)
    view = bar.addMenu("&View")
    for number, page in enumerate(pages, start=1):
        _action(window, page, [f"Ctrl+{number}"], lambda _=False, p=page: show_page(window, pages, p), view)
    view.addSeparator()
    view.addAction(window.find_action)
    context = QAction("Open the menu of the focused item", window)
    context.setShortcut(QKeySequence("Shift+F10"))
    context.triggered.connect(open_context_menu)
    window.addAction(context)
    help_ = bar.addMenu("&Help")
    _action(window, "&Keyboard shortcuts", [QKeySequence.StandardKey.HelpContents, "Ctrl+/"],
            lambda: ShortcutsDialog(shortcut_rows(window), window).exec(), help_)
    for number, page in enumerate(pages, start=1):
        item = window.nav.item(number - 1)
        item.setToolTip(f"{page} (Ctrl+{number})")


def open_context_menu() -> None:
    """Shift+F10 does what the Menu key does (Qt on X11 turns only the Menu key into a
    context menu): the focused widget's menu, at its current item."""
    widget = QApplication.focusWidget()
    if widget is None:
        return
    target, position = widget, widget.rect().center()
    if isinstance(widget, QAbstractItemView):
        target = widget.viewport()
        current = widget.visualRect(widget.currentIndex())
        position = current.center() if current.isValid() else target.rect().center()
    QApplication.sendEvent(target, QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, position,
                                                     target.mapToGlobal(position)))


def show_page(window, pages: list[str], page: str) -> None:
    """Ctrl+1…6: the page, with the keyboard on its first control rather than the sidebar."""
    if window.nav.isEnabled():
        window.nav.setCurrentRow(pages.index(page))
        shown, widget = window.pages.currentWidget(), window.nav.nextInFocusChain()
        while widget is not window.nav:
            if (shown.isAncestorOf(widget) and widget.isVisible() and widget.isEnabled()
                    and widget.focusPolicy() & Qt.FocusPolicy.TabFocus):
                widget.setFocus(Qt.FocusReason.ShortcutFocusReason)
                return
            widget = widget.nextInFocusChain()


def fit_navigation(nav, pages: list[str]) -> None:
    """The sidebar as wide as its longest page name in the user's text size."""
    nav.ensurePolished()
    metrics = nav.fontMetrics()
    nav.setFixedWidth(max(150, max(metrics.horizontalAdvance(p) for p in pages) + 64))


def shortcut_rows(window) -> list[tuple[str, str, str]]:
    """(where, what, keys) for every key the window and its views know, menus first."""
    rows: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str]] = set()

    def add(where: str, what: str, keys: str) -> None:
        what = what.replace("&", "").rstrip("…").strip()
        if keys and (what, keys) not in seen:
            seen.add((what, keys))
            rows.append((where, what, keys))

    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        for action in menu.actions() if menu else ():
            add(menu_action.text().replace("&", ""), action.text(), keys_text(action.shortcuts()))
    for page in window.pages.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
        where = page.windowTitle() or type(page).__name__.removesuffix("View")
        for action in page.findChildren(QAction):
            add(where, action.text() or action.toolTip().rsplit(" (", 1)[0], keys_text(action.shortcuts()))
        for button in page.findChildren(QAbstractButton):
            add(where, button.text() or button.toolTip().rsplit(" (", 1)[0], keys_text([button.shortcut()]))
        for shortcut in page.findChildren(QShortcut):
            if shortcut.whatsThis():
                add(where, shortcut.whatsThis(), keys_text([shortcut.key()]))
    for where, what, keys in WIDGET_KEYS:
        add(where, what, keys)
    return rows
