"""The duplicates as a table: one row per photo, sortable by any column, filtered by name or folder.

Owns: the rows (group number, a small thumbnail, name, folder, resolution, size, capture date,
similarity and the removal mark as a check box), sorting by the value a column means (bytes,
pixels, the group's order) from the header or, by keyboard, from the context menu, the filter
box, thumbnails asked for only by the rows that are painted (the ThumbnailLoader loads them off
the GUI thread), and saying which group a chosen row belongs to and which marks the user asked for (check box, Delete). Must not: change or
save marks itself (the duplicates view's marking does, through the job runner) or load pictures.
"""
from __future__ import annotations

import os

from PySide6.QtCore import QAbstractTableModel, QItemSelectionModel, QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLineEdit, QMenu, QStyledItemDelegate, QTableView,
                               QVBoxLayout, QWidget)

from lookalike.engine import human_size

from .thumbnails import thumbnail_key

TABLE_THUMB = 40
# The mark first (as in dupeGuru): it stays in sight however narrow the table is.
COLUMNS = ("Remove", "Group", "Photo", "Name", "Folder", "Resolution", "Size", "Date", "Similarity")
MARK, GROUP, PHOTO, NAME, FOLDER, RESOLUTION, SIZE, DATE, SIMILARITY = range(len(COLUMNS))
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
REMOVED = QColor("#b91c1c")   # the text of a photo marked for removal


class ResultsModel(QAbstractTableModel):
    """The shown groups' photos, one row each, in the groups' order; marks read live."""

    def __init__(self, loader, parent=None) -> None:
        super().__init__(parent)
        self.loader = loader
        self.rows: list[tuple[int, object]] = []      # (group row, DuplicateFile)
        self.marks: dict[int, str] = {}
        self._by_key: dict[tuple, list[int]] = {}
        loader.ready.connect(self._thumbnail_ready)

    def show(self, pairs, marks: dict) -> None:
        """New groups: the rows are made again."""
        self.beginResetModel()
        self.rows = [(i, f) for i, (group, _) in enumerate(pairs) for f in group.files]
        self.marks = marks
        self._by_key = {}
        for n, (_, f) in enumerate(self.rows):
            self._by_key.setdefault(thumbnail_key(f, TABLE_THUMB), []).append(n)
        self.endResetModel()

    def marks_changed(self, marks: dict) -> None:
        self.marks = marks
        if self.rows:
            # The whole row: a photo marked for removal is written in red.
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(COLUMNS) - 1))

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def flags(self, index):
        flags = super().flags(index)
        if index.column() == MARK and not self.rows[index.row()][1].reference:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        group, f = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(group, f, column)
        if role == SORT_ROLE:
            return self._sort_value(group, f, column)
        if role == Qt.ItemDataRole.DecorationRole and column == PHOTO:
            # Asked only for painted rows: scrolling 10,000 rows loads what is on screen.
            return self.loader.pixmap(f, TABLE_THUMB)
        if role == Qt.ItemDataRole.CheckStateRole and column == MARK:
            return (Qt.CheckState.Checked if self.marks.get(f.file_id, "keep") == "remove"
                    else Qt.CheckState.Unchecked)
        if role == Qt.ItemDataRole.ForegroundRole and self.marks.get(f.file_id, "keep") == "remove":
            return REMOVED
        if role == Qt.ItemDataRole.ToolTipRole:
            return "Reference folder: never touched" if f.reference and column == MARK else f.path
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (GROUP, SIZE, SIMILARITY, RESOLUTION):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _text(group: int, f, column: int):
        if column == GROUP:
            return str(group + 1)
        if column == NAME:
            return os.path.basename(f.path)
        if column == FOLDER:
            return os.path.dirname(f.path)
        if column == RESOLUTION:
            return f"{f.width}×{f.height}" if f.width else "?"
        if column == SIZE:
            return human_size(f.bytes)
        if column == DATE:
            return f.taken_at.replace("T", " ") if f.taken_at else ""
        if column == SIMILARITY:
            return f"{f.similarity:.3f}"
        return None

    def _sort_value(self, group: int, f, column: int):
        # Ties fall back to the groups' own order, so a sorted table still reads group by group.
        value = {GROUP: group, PHOTO: group, NAME: os.path.basename(f.path).lower(),
                 FOLDER: os.path.dirname(f.path).lower(), RESOLUTION: (f.width or 0) * (f.height or 0),
                 SIZE: f.bytes, DATE: f.taken_at or "", SIMILARITY: f.similarity,
                 MARK: self.marks.get(f.file_id, "keep") == "remove"}[column]
        return (value, group)

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if role == Qt.ItemDataRole.CheckStateRole and index.column() == MARK:
            f = self.rows[index.row()][1]
            checked = Qt.CheckState(value) == Qt.CheckState.Checked
            self.parent().marks_requested.emit([(f.file_id, "remove" if checked else "keep")])
            return True
        return False

    def _thumbnail_ready(self, key: tuple) -> None:
        for n in self._by_key.get(key, ()):
            index = self.index(n, PHOTO)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])


class ResultsFilter(QSortFilterProxyModel):
    """Sorts by what a column means and keeps the rows whose name or folder holds the text."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.text = ""
        self.setSortRole(SORT_ROLE)

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self.text = text.strip().lower()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:
        if not self.text:
            return True
        path = self.sourceModel().rows[source_row][1].path.lower()
        return self.text in path

    def lessThan(self, left, right) -> bool:
        return left.data(SORT_ROLE) < right.data(SORT_ROLE)


class FolderDelegate(QStyledItemDelegate):
    """A folder too long for its column keeps its last names ("…/Pictures/Exports"): they tell
    copies apart; its start is the same for every row."""

    def initStyleOption(self, option, index) -> None:   # noqa: N802 (Qt's name)
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideLeft


class ResultsTable(QWidget):
    group_chosen = Signal(int)          # a row of this group was chosen
    marks_requested = Signal(list)      # [(file id, "keep" | "remove")]: the user's toggles

    def __init__(self, loader, parent=None) -> None:
        super().__init__(parent)
        self.model = ResultsModel(loader, self)
        self.proxy = ResultsFilter(self)
        self.proxy.setSourceModel(self.model)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter by name or folder")
        self.filter.setAccessibleName("Filter the duplicates by name or folder")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.set_text)
        self.table = QTableView()
        self.table.setObjectName("resultsTable")
        self.table.setAccessibleName("Duplicate photos, one row each")
        self.table.setTabKeyNavigation(False)   # Tab leaves the table; the arrows move in it
        # Right-click or the Menu key: sorting without the header (it takes no keyboard focus).
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self.show_menu)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(GROUP, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)   # a folder keeps its first and last names
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(TABLE_THUMB + 6)
        self.table.setIconSize(self.table.iconSize().scaled(TABLE_THUMB, TABLE_THUMB,
                                                            Qt.AspectRatioMode.IgnoreAspectRatio))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        self.table.setColumnWidth(PHOTO, TABLE_THUMB + 12)
        self.table.setColumnWidth(NAME, 160)
        # The short columns as wide as what they hold (an empty Date column shrinks to its
        # heading), measured on the first 200 rows, so the folder gets the rest.
        header.setResizeContentsPrecision(200)
        for column in (MARK, GROUP, RESOLUTION, SIZE, DATE, SIMILARITY):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(FOLDER, QHeaderView.ResizeMode.Stretch)   # the folder takes what is left
        self.table.setItemDelegateForColumn(FOLDER, FolderDelegate(self.table))
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.installEventFilter(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter)
        layout.addWidget(self.table, 1)

    def show_groups(self, pairs, marks: dict) -> None:
        self.model.show(pairs, marks)

    def marks_changed(self, marks: dict) -> None:
        self.model.marks_changed(marks)

    def group_of(self, proxy_row: int) -> int:
        source = self.proxy.mapToSource(self.proxy.index(proxy_row, 0))
        return self.model.rows[source.row()][0] if source.isValid() else -1

    def select_group(self, group: int) -> None:
        """Selects the first shown row of `group` without saying so (the group is open already)."""
        if 0 <= self.current_group() == group:
            return
        for proxy_row in range(self.proxy.rowCount()):
            if self.group_of(proxy_row) == group:
                self.table.selectionModel().blockSignals(True)
                self.table.selectionModel().setCurrentIndex(
                    self.proxy.index(proxy_row, NAME),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
                self.table.selectionModel().blockSignals(False)
                self.table.viewport().update()
                self.table.scrollTo(self.proxy.index(proxy_row, NAME))
                return

    def current_group(self) -> int:
        index = self.table.currentIndex()
        return self.group_of(index.row()) if index.isValid() else -1

    def shown_files(self) -> list:
        """The photos of the rows shown, as sorted and filtered."""
        proxy = self.proxy
        return [self.model.rows[proxy.mapToSource(proxy.index(r, 0)).row()][1] for r in range(proxy.rowCount())]

    def selected_files(self) -> list:
        rows = {i.row() for i in self.table.selectionModel().selectedRows()}
        return [self.model.rows[self.proxy.mapToSource(self.proxy.index(r, 0)).row()][1] for r in sorted(rows)]

    def toggle_selected(self) -> None:
        """Delete: the selected photos are marked for removal, or kept when all already are."""
        files = [f for f in self.selected_files() if not f.reference]
        if not files:
            return
        marks = self.model.marks
        mark = "keep" if all(marks.get(f.file_id, "keep") == "remove" for f in files) else "remove"
        self.marks_requested.emit([(f.file_id, mark) for f in files])

    def sort_actions(self, parent) -> list[QAction]:
        """Sort by each column; the column sorted now is checked, and choosing it again turns
        the order round."""
        header, actions = self.table.horizontalHeader(), []
        for column, name in enumerate(COLUMNS):
            action = QAction(name, parent)
            action.setCheckable(True)
            action.setChecked(header.sortIndicatorSection() == column)
            action.triggered.connect(lambda _=False, c=column: self.table.sortByColumn(
                c, Qt.SortOrder.DescendingOrder if header.sortIndicatorSection() == c and
                header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder else Qt.SortOrder.AscendingOrder))
            actions.append(action)
        return actions

    def show_menu(self, position) -> None:
        menu = QMenu(self)
        menu.addMenu("Sort by").addActions(self.sort_actions(menu))
        toggle = menu.addAction("Keep or remove the selected", self.toggle_selected)
        toggle.setShortcut(QKeySequence(Qt.Key.Key_Delete))   # named in the menu; the table handles the key
        toggle.setEnabled(bool(self.selected_files()))
        menu.exec(self.table.viewport().mapToGlobal(position))
        menu.deleteLater()

    def _current_changed(self, current, _previous) -> None:
        if current.isValid():
            self.group_chosen.emit(self.group_of(current.row()))

    def eventFilter(self, watched, event) -> bool:
        if watched is self.table and event.type() == event.Type.KeyPress and \
                event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.toggle_selected()
            return True
        return super().eventFilter(watched, event)
