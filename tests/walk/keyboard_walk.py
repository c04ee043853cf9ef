"""6. Keyboard, in the real window: Ctrl+3, F1 and Escape, the Menu key and Shift+F10 on the
results table, Tab from the sidebar (does the focus outline move?), Alt+T and Right on the
threshold slider. Every key goes through the X server (xdotool key), not QTest."""
from __future__ import annotations

import time
from pathlib import Path

from session import Walk


TAB_STEPS = 3


def focus_marks(before: Path, after: Path, rect: dict, band: int = 3) -> tuple[int, float, int]:
    """What changed on a widget (`rect`, root-window pixels, plus 2 px round it) between two
    screenshots: (changed pixels, the share of the `band`-wide ring at its edge that changed,
    pixels of the app's own focus outline colour #1e40af in `after`). A focus outline on the
    edge changes most of the ring; Fusion's own focus marks (a 1 px tint) change fewer pixels."""
    from PIL import Image, ImageChops

    box = (rect["x"] - 2, rect["y"] - 2, rect["x"] + rect["w"] + 2, rect["y"] + rect["h"] + 2)
    a = Image.open(before).convert("RGB").crop(box)
    b = Image.open(after).convert("RGB").crop(box)
    diff = ImageChops.difference(a, b).convert("L").load()
    px = b.load()
    w, h = a.size
    changed = sum(diff[x, y] > 24 for y in range(h) for x in range(w))
    ring = [(x, y) for y in range(2, h - 2) for x in range(2, w - 2)
            if x < 2 + band or y < 2 + band or x >= w - 2 - band or y >= h - 2 - band]
    share = sum(diff[x, y] > 24 for x, y in ring) / len(ring) if ring else 0.0
    own = sum(all(abs(c - t) <= 12 for c, t in zip(px[x, y], (0x1e, 0x40, 0xaf))) for y in range(h) for x in range(w))
    return changed, share, own


def describe_focus(focus: dict | None) -> str:
    if not focus:
        return "nothing"
    name = focus.get("accessible") or focus.get("name") or focus.get("text") or ""
    return f"{focus['cls']}" + (f" {name!r}" if name else "") + f" at {focus['x']},{focus['y']} {focus['w']}x{focus['h']}"


def keyboard(w: Walk) -> None:
    """6. Keyboard: real key presses through the X server (xdotool key), not QTest's."""
    w.xdotool("windowactivate", "--sync", w.window, check=False)
    time.sleep(0.5)

    # 6a. Ctrl+3 opens Search with the keyboard in the search box; typed letters land there.
    w.key("ctrl+3")
    time.sleep(0.8)
    state = w.look()
    nav = next((x for x in state["widgets"] if x.get("name") == "navigation"), {})
    focus = state.get("focus_widget") or {}
    w.type("harbour")
    time.sleep(0.5)
    box = w.find(cls="QLineEdit", accessible="Search words", window="mainWindow", timeout=2) or {}
    shot = w.shot("keyboard-ctrl3-search-typed")
    w.check("6a. Ctrl+3 opens the Search page with the keyboard in the search box (typed 'harbour' shows in it)",
            nav.get("current_row") == 2 and focus.get("accessible") == "Search words"
            and box.get("text") == "harbour",
            f"page row {nav.get('current_row')}, focus {describe_focus(focus)}, box {box.get('text')!r}; {shot}")
    w.key("ctrl+a")
    w.key("BackSpace")

    # 6b. F1 shows the Keyboard shortcuts window (Scan now, F5); Escape closes it.
    w.key("F1")
    table = w.wait_for(lambda: w.find(name="shortcutsTable", title="Keyboard shortcuts", timeout=0.5), timeout=10)
    time.sleep(0.8)
    shot = w.shot("keyboard-f1-shortcuts")
    rows = (table or {}).get("rows", [])
    scan = [r["cells"] for r in rows if r["cells"][1] == "Scan now"]
    w.check("6b. F1 opens 'Keyboard shortcuts', listing Scan now with F5", bool(scan) and "F5" in scan[0][2],
            f"{len(rows)} rows, Scan now: {scan}; {shot}")
    w.key("Escape")
    closed = w.wait_for(lambda: not w.find(title="Keyboard shortcuts", timeout=0.2), timeout=5)
    w.check("   Escape closes the Keyboard shortcuts window", bool(closed))
    if not closed:
        w.key("Escape")

    # 6c. Duplicates › Table: the Menu key and Shift+F10 open the table's context menu;
    # Sort by › Size chosen with the arrows and Return sorts by size.
    w.key("ctrl+1")
    time.sleep(1.0)
    if not w.find(name="resultsTable", timeout=1):
        w.click_widget(w.find(cls="QPushButton", text="Table"))
        time.sleep(1.0)
    table = w.find(name="resultsTable")
    row = table["rows"][0]
    w.click(row["cx"] + 200, row["cy"])   # the Name column, not the Remove box: the table has the keyboard
    table = w.find(name="resultsTable")
    focused = table.get("has_focus")

    def context_menu(timeout: float = 4) -> dict | None:
        return w.wait_for(lambda: w.find(cls="QMenu", actions=lambda a: bool(a) and any(
            x["text"] == "Sort by" for x in a), timeout=0.3), timeout=timeout)

    def no_menu() -> bool:
        return bool(w.wait_for(lambda: not w.find(cls="QMenu", timeout=0.2), timeout=4))

    for keys, said in (("Menu", "the Menu key"), ("shift+F10", "Shift+F10")):
        w.key(keys)
        menu = context_menu()
        shot = w.shot(f"keyboard-{keys.replace('+', '-').lower()}-context-menu")
        w.check(f"6c. {said} on the focused results table opens its context menu (Sort by, Keep or remove…)",
                focused and menu is not None,
                f"table focused: {focused}; menu: {[a['text'] for a in (menu or {}).get('actions', [])]}; {shot}")
        if menu is not None and keys == "Menu":
            w.key("Escape")
            no_menu()
    menu, opened_with = context_menu(timeout=0.5), "Shift+F10"
    if menu is None:   # Shift+F10 did not open it; Sort by is still tried from the Menu key's menu
        w.key("Menu")
        menu, opened_with = context_menu(), "the Menu key (Shift+F10 opened none)"
    size_ok, detail = False, "no context menu"
    if menu is not None:
        def active(menu_actions: str, want: str, key: str, limit: int) -> bool:
            for _ in range(limit):
                found = w.find(cls="QMenu", actions=lambda a: bool(a) and any(x["text"] == menu_actions for x in a),
                               timeout=0.5)
                if found and any(x.get("active") and x["text"] == want for x in found["actions"]):
                    return True
                w.key(key)
            return False
        on_sort = active("Sort by", "Sort by", "Down", 4)
        w.key("Right")
        on_size = on_sort and active("Size", "Size", "Down", 12)
        shot = w.shot("keyboard-sort-by-size-menu")
        w.key("Return")
        no_menu()
        time.sleep(0.8)
        table = w.find(name="resultsTable")
        header = w.find(cls="QHeaderView", window="mainWindow",
                        sections=lambda s: bool(s) and any(x["label"] == "Size" for x in s))
        names = [r["cells"][3] for r in table["rows"]]
        folders = {r["cells"][3]: r["cells"][4] for r in table["rows"]}
        sizes = [(Path(folders[n]) / n).stat().st_size for n in names]   # the files' own bytes
        size_section = next(s["logical"] for s in header["sections"] if s["label"] == "Size")
        size_ok = (on_size and header["sort_column"] == size_section and len(sizes) >= 4
                   and header["sort_order"] == "AscendingOrder" and sizes == sorted(sizes))
        shot2 = w.shot("keyboard-sorted-by-size")
        detail = (f"menu opened with {opened_with}; Sort by active: {on_sort}, Size active: {on_size}; header sorted on "
                  f"{header['sort_column']} ({header['sort_order']}), Size is {size_section}; "
                  f"bytes in row order {sizes}; {shot}, {shot2}")
    w.check("6c. Sort by › Size chosen with Down/Right/Return sorts the table by size", size_ok, detail)
    if w.find(cls="QMenu", timeout=0.2):
        w.key("Escape")
        w.key("Escape")

    # 6d. Tab from the sidebar on the Duplicates page: the focus outline moves, visibly.
    w.go("Duplicates")   # a click on the sidebar: the sidebar has the keyboard
    time.sleep(0.5)
    last = w.look().get("focus_widget") or {}
    previous = w.shot("keyboard-tab-0-sidebar")
    steps = [f"start: {describe_focus(last)}"]
    ok = last.get("name") == "navigation"
    for step in range(1, TAB_STEPS + 1):
        w.key("Tab")
        time.sleep(0.5)
        focus = w.look().get("focus_widget") or {}
        shot = w.shot(f"keyboard-tab-{step}")
        changed, share, own = focus_marks(previous, shot, focus) if focus else (0, 0.0, 0)
        left = focus_marks(previous, shot, last)[0] if last else 0   # the mark left the last one
        moved = bool(focus) and (focus["x"], focus["y"], focus["cls"]) != (last.get("x"), last.get("y"), last.get("cls"))
        ok &= moved and changed >= 40 and left >= 40
        steps.append(f"Tab {step}: {describe_focus(focus)}: {changed} px changed on it ({share:.0%} of its edge), "
                     f"{own} px in the app's outline colour #1e40af, {left} px changed on the last one ({shot.name})")
        previous, last = shot, focus
    w.check(f"6d. Tab from the sidebar moves the focus, and its mark moves with it, on each of {TAB_STEPS} steps "
            "(look at the keyboard-tab-* screenshots: how strong the mark is)", ok, "; ".join(steps))

    # 6e. Alt+T (the &Threshold label's buddy) puts the keyboard on the slider; Right moves it.
    w.key("alt+t")
    time.sleep(0.5)
    state = w.look()
    focus = state.get("focus_widget") or {}
    slider = next((x for x in state["widgets"] if x.get("cls") == "QSlider" and x.get("window") == "mainWindow"), {})

    def threshold_text(widgets) -> str:
        s = next((x for x in widgets if x.get("cls") == "QSlider" and x.get("window") == "mainWindow"), None)
        if not s:
            return ""
        beside = [x for x in widgets if x.get("cls") == "QLabel" and x.get("window") == "mainWindow"
                  and s["x"] + s["w"] <= x["x"] <= s["x"] + s["w"] + 40 and abs((x["y"] + x["h"] / 2) - (s["y"] + s["h"] / 2)) < 12]
        return beside[0].get("text", "") if beside else ""

    before_text, before_value = threshold_text(state["widgets"]), slider.get("value")

    def on_slider() -> tuple[dict, int | None, str]:
        state = w.look()
        moved = next((x for x in state["widgets"] if x.get("cls") == "QSlider" and x.get("window") == "mainWindow"), {})
        return state.get("focus_widget") or {}, moved.get("value"), threshold_text(state["widgets"])

    w.key("Right")
    time.sleep(2.0)   # the groups are made again (250 ms later, then the regroup itself)
    focus_after, after_value, after_text = on_slider()
    shot = w.shot("keyboard-alt-t-threshold-right")
    w.check("6e. Alt+T puts the keyboard on the Threshold slider, and Right raises the threshold shown",
            focus.get("cls") == "QSlider" and before_value is not None and after_value == before_value + 1
            and before_text and after_text and after_text != before_text,
            f"focus after Alt+T: {describe_focus(focus)}; slider {before_value} → {after_value}; "
            f"label {before_text!r} → {after_text!r}; {shot}")
    w.key("Right")
    time.sleep(2.0)
    focus_last, last_value, last_text = on_slider()
    shot = w.shot("keyboard-threshold-second-right")
    w.check("   after the regroup the keyboard is still on the slider (a second Right raises it again)",
            focus_after.get("cls") == "QSlider" and after_value is not None and last_value == after_value + 1,
            f"focus after the first Right's regroup: {describe_focus(focus_after)}; second Right: slider "
            f"{after_value} → {last_value}, label {after_text!r} → {last_text!r}, focus {describe_focus(focus_last)}; {shot}")
