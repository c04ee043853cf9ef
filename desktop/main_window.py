"""The main window: navigation, toolbar, status bar, drag and drop, scans and folder watching.

Owns: composing the views, the scan flow (one incremental scan at a time; changes seen while
scanning queue one more), watching (watchdog changes arrive here on the GUI thread and feed
the same scan), the missing-model flow (a model that arrives, from wherever it was asked for,
starts a background scan that embeds what the library lacks), and persisting this library's
window geometry.
Must not: reach the engine except through engine.Library, or block the GUI thread.
"""
from __future__ import annotations

import os
from functools import partial
from typing import Optional

from PySide6.QtCore import QEvent, QSettings, QSize, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QApplication, QFileDialog, QHBoxLayout, QLabel, QListWidget, QMainWindow, QMessageBox,
                               QStackedWidget, QWidget)

from lookalike.engine.errors import ModelUnavailable

from . import keyboard
from . import operations as ops
from .app import apply_style
from .dialogs.missing_model_dialog import MissingModelDialog
from .dialogs.notice import show_error
from .dialogs.preferences_dialog import PreferencesDialog
from .model_downloads import ModelDownloads
from .views.compare_view import CompareView
from .views.duplicates_view import DuplicatesView
from .views.folders_view import FoldersView
from .views.photos_view import PhotosView
from .views.search_view import SearchView
from .views.tags_view import TagsView
from .views.viewer_window import show_viewer
from .views.welcome_view import WelcomeView
from .widgets.job_status import JobStatus
from .widgets.photo_menu import photo_menu
from .widgets.thumbnails import ThumbnailLoader
from .window_settings import window_settings
from .worker import JobRunner

PAGES = ["Duplicates", "Photos", "Search", "Tags", "Compare", "Folders"]


class MainWindow(QMainWindow):
    folders_changed = Signal(set)         # from the watcher thread, delivered on the GUI thread
    scan_finished = Signal(object)        # ScanSummary

    def __init__(self, library, watch: bool = True, debounce: float = 2.0) -> None:
        super().__init__()
        self.library = library
        self.setWindowTitle("Lookalike")
        self.setObjectName("mainWindow")
        self.setAcceptDrops(True)
        self.runner = JobRunner(self)
        self.loader = ThumbnailLoader(library, parent=self)
        self.scanning = False
        self.scan_again = False
        self.waiting_changes: Optional[set] = None   # what the waiting scan covers; None: everything
        self.last_summary = None
        self.downloads = ModelDownloads(library, self.runner, self)
        self.downloads.arrived.connect(self._model_arrived)
        self.use_when_here: Optional[str] = None   # a model installed to become the duplicate model

        menu = self._show_photo_menu
        self.duplicates = DuplicatesView(library, self.runner, self.loader, menu, self.compare_photos)
        self.photos = PhotosView(library, self.runner, self.loader, menu)
        self.search = SearchView(library, self.runner, self.loader, menu, downloads=self.downloads)
        self.tags = TagsView(library, self.runner, self.loader, menu,
                             selected_elsewhere=lambda: [p.path for p in self.photos.grid.selected_photos()],
                             downloads=self.downloads)
        self.compare = CompareView(library, self.runner, downloads=self.downloads)
        self.folders = FoldersView(library, self.runner, self.add_folder)
        # _show_folders_or_welcome reads the Folders page again; the other views follow.
        self.folders.folders_changed.connect(lambda: (self._show_folders_or_welcome(), self.refresh_views(folders=False)))
        self.welcome = WelcomeView()
        self.welcome.add_folder.connect(self.choose_folder)
        self.duplicates.changed_files.connect(lambda: self.request_scan())
        self.duplicates.message.connect(lambda text: self.statusBar().showMessage(text, 15000))
        self.duplicates.scan_prompt.scan.connect(lambda: self.request_scan())
        self.tags.changed_files.connect(lambda: self.request_scan())
        # Undo puts back the latest batch: an offer made before another batch ran is stale.
        self.duplicates.changed_files.connect(self.tags.undo_bar.hide)
        self.tags.batch_ran.connect(self.duplicates.undo_bar.hide)

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.addItems(PAGES)
        self.nav.setAccessibleName("Pages")
        keyboard.fit_navigation(self.nav, PAGES)
        self.pages = QStackedWidget()
        for page in (self.duplicates, self.photos, self.search, self.tags, self.compare, self.folders, self.welcome):
            self.pages.addWidget(page)
        self.nav.currentRowChanged.connect(self.pages.setCurrentIndex)
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self._toolbar()
        self.job_status = JobStatus(self.runner)
        self.watch_label = QLabel("")
        # Unreadable files stay one click away until they are fixed, not for 15 s.
        self.folders.status_link.clicked.connect(self.show_problems)
        self.statusBar().addPermanentWidget(self.folders.status_link)
        self.statusBar().addPermanentWidget(self.watch_label)
        self.statusBar().addPermanentWidget(self.job_status)

        self.watcher = library.watcher(self.folders_changed.emit, debounce=debounce)
        self.folders_changed.connect(lambda paths: self.request_scan(changed=paths))
        self._watch_enabled = watch
        self.devices = None  # detected off the GUI thread: it imports torch
        self.runner.read(partial(ops.detected_devices, library), lambda found: setattr(self, "devices", found),
                         lambda exc: setattr(self, "devices", ["cpu"]))
        # The daily catalog backup (seconds at a million photos) runs behind the window. It only
        # reads the catalog (SQLite's online backup), so it runs beside writes and never makes
        # closing ask about a running job; a full disk waits for the next start.
        self.runner.read(partial(ops.back_up, library), lambda _: None, lambda exc: None)
        self._restore_geometry()
        self._show_folders_or_welcome()
        keyboard.name_keys(self)

    # -- layout -----------------------------------------------------------------------------
    def _toolbar(self) -> None:
        bar = self.addToolBar("Main")
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        self.add_action = QAction("Add folder…", self)
        self.add_action.triggered.connect(self.choose_folder)
        self.scan_action = QAction("Scan now", self)
        self.scan_action.triggered.connect(lambda: self.request_scan())
        self.pause_action = QAction("Pause watching", self)
        self.pause_action.setCheckable(True)
        self.pause_action.toggled.connect(self._pause)
        self.prefs_action = QAction("Preferences…", self)
        self.prefs_action.triggered.connect(self.preferences)
        for action in (self.add_action, self.scan_action, self.pause_action, self.prefs_action):
            bar.addAction(action)
        self.decisions_action = QAction("Decisions…", self)
        self.decisions_action.setToolTip("Groups you marked as not duplicates or keep all; forget one to review it again")
        self.decisions_action.triggered.connect(self.duplicates.show_decisions)
        self.find_action = QAction("Search", self)
        self.find_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Find))
        self.find_action.triggered.connect(self.focus_search)
        self.addAction(self.find_action)
        keyboard.build_menus(self, PAGES)

    def _show_folders_or_welcome(self) -> None:
        if not self.library.folders():
            self.nav.setEnabled(False)
            self.pages.setCurrentWidget(self.welcome)
            self.scan_action.setEnabled(False)
            self.pause_action.setEnabled(False)   # nothing is watched yet
            self.pause_action.setToolTip("Nothing to watch yet: add a photo folder first")
            self.watcher.stop()   # the last folder was removed on the Folders page
            self.folders.status_link.setVisible(False)
            return
        self.nav.setEnabled(True)
        self.scan_action.setEnabled(True)
        self.pause_action.setEnabled(True)
        self.pause_action.setToolTip("New, changed and deleted photos are picked up while watching")
        if self.pages.currentWidget() is self.welcome:
            self.nav.setCurrentRow(0)
            self.pages.setCurrentIndex(0)
        elif self.nav.currentRow() != self.pages.currentIndex():
            self.nav.setCurrentRow(self.pages.currentIndex())   # a restart opens on a page: highlighted
        if self._watch_enabled:
            self.watcher.watch([f.path for f in self.library.folders()])
            self.watch_label.setText("Watching folders" if not self.watcher.paused else "Watching paused")
        self.folders.refresh()

    def show_problems(self) -> None:
        """The Folders page's list of the files that could not be read."""
        if self.nav.isEnabled():
            self.nav.setCurrentRow(PAGES.index("Folders"))
            self.folders.show_problems()

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ApplicationFontChange:   # Qt sends it to every window
            apply_style(QApplication.instance())   # the style sheet's sizes follow the system font
            keyboard.fit_navigation(self.nav, PAGES)
        return super().event(event)

    def focus_search(self) -> None:
        if self.nav.isEnabled():
            self.nav.setCurrentRow(PAGES.index("Search"))
            self.search.field.setFocus()
            self.search.field.selectAll()

    # -- folders and scanning ---------------------------------------------------------------
    def choose_folder(self) -> None:
        self.folders.choose_folder()   # opens beside the last folder added, or in Pictures

    def add_folder(self, folder: str) -> None:
        # On the writer thread: a `lookalike` command writing the library meanwhile makes it
        # wait (shown in the status bar), never the window.
        self.runner.write(ops.ADD_FOLDER, partial(ops.add_folder, self.library, folder),
                          lambda _: (self._show_folders_or_welcome(), self.request_scan()),
                          on_error=lambda exc: show_error(self, "Folder not added", exc))

    def request_scan(self, changed: Optional[set] = None) -> None:
        """Scans every folder, or with `changed` (paths the watcher saw change) only the
        folders holding them. A request during a scan waits for it, merged with the others."""
        if not self.library.folders():
            return
        if self.scan_again:  # merge with the request already waiting (or left by a failed scan)
            changed = _covering(changed, self.waiting_changes)
        if self.scanning:
            self.scan_again, self.waiting_changes = True, changed
            return
        self.scan_again = False
        self.scanning = True
        self.duplicates.scan_prompt.hide()   # its Scan now is under way (the status bar shows it)
        self.runner.write(ops.SCAN, partial(ops.scan, self.library, changed), self._scanned, on_error=self._scan_failed, on_cancel=self._scan_cancelled)

    def _scanned(self, summary) -> None:
        self.scanning = False
        self.last_summary = summary
        self.statusBar().showMessage(f"Indexed: {summary.line()}", 15000)
        self.folders.scan_problems(summary.errors)   # the status-bar link counts them, and stays
        self.refresh_views()
        self.scan_finished.emit(summary)
        if self.scan_again:
            self.scan_again = False
            self.request_scan(changed=self.waiting_changes)

    def _scan_cancelled(self) -> None:
        self.scanning = False
        self.scan_again = False
        self.statusBar().showMessage("Indexing cancelled; what was done so far is kept.", 10000)
        self.refresh_views()

    def _scan_failed(self, exc) -> None:
        self.scanning = False
        if isinstance(exc, ModelUnavailable):
            self.missing_model(exc)
        else:
            show_error(self, "Indexing stopped", exc)

    def refresh_views(self, folders: bool = True) -> None:
        self.duplicates.refresh()
        self.duplicates.calibration.load()   # new vectors may move where chance similarity ends
        self.photos.refresh()
        self.tags.refresh()
        if folders:
            self.folders.refresh()

    def missing_model(self, exc: ModelUnavailable) -> None:
        models = {m.name: m for m in self.library.models()}
        dialog = MissingModelDialog(exc.model, models.get(exc.model), getattr(exc, "downloadable", None),
                                    models.get("sscd"), self)
        self.missing_dialog = dialog
        if dialog.exec() != MissingModelDialog.DialogCode.Accepted or dialog.choice is None:
            self.statusBar().showMessage(str(exc), 20000)
            return
        if dialog.choice == "download":
            self.downloads.download(exc.model)   # its arrival starts the scan
        elif dialog.choice == "install_sscd":
            self.use_when_here = "sscd"
            self.downloads.download("sscd")
        elif dialog.choice == "folder":
            folder = QFileDialog.getExistingDirectory(self, "Model folder")
            if folder:
                self._change_settings(model_dir=folder)
        else:
            self._change_settings(model=dialog.choice)

    def _model_arrived(self, name: str) -> None:
        """A download finished (the missing-model dialog, Preferences › Models or an inline fix):
        the library embeds what it lacks for it, without being asked."""
        if name == self.use_when_here:
            self.use_when_here = None
            self._change_settings(model=name)   # saved, then scanned
        else:
            self.request_scan()

    def _change_settings(self, **values) -> None:
        self.runner.write(ops.SAVE_PREFERENCES, partial(ops.change_settings, self.library, values),
                          lambda _: (self.duplicates._tier_changed(), self.request_scan()),
                          on_error=lambda exc: show_error(self, "Preferences not saved", exc))

    def preferences(self) -> None:
        dialog = PreferencesDialog(self.library, self, devices=self.devices, runner=self.runner,
                                   downloads=self.downloads)
        if dialog.exec() != PreferencesDialog.DialogCode.Accepted:
            return
        self.runner.write(ops.SAVE_PREFERENCES, partial(ops.apply_preferences, self.library, dialog),
                          lambda _: (self.duplicates.reload_presets(), self.duplicates._tier_changed(),
                                     self.request_scan()),
                          on_error=lambda exc: show_error(self, "Preferences not saved", exc))

    def _pause(self, paused: bool) -> None:
        if paused:
            self.watcher.pause()
        else:
            self.watcher.resume()
        self.watch_label.setText("Watching paused" if paused else "Watching folders")
        self.pause_action.setText("Resume watching" if paused else "Pause watching")   # says what a click does

    # -- photos: menus and drops ------------------------------------------------------------
    def _show_photo_menu(self, photo, position) -> None:
        menu = photo_menu(self, photo, self.find_similar, self.compare_with, self.view_instead)
        menu.popup(position)

    def view_instead(self, photo) -> None:
        """"Open" where no program of the desktop opens photos: our own viewer shows it."""
        show_viewer(self, self.library, self.runner, [photo], 0)
        self.statusBar().showMessage("No program on this computer opened the photo; "
                                     "it is shown in Lookalike's viewer.", 15000)

    def find_similar(self, path: str) -> None:
        self.nav.setCurrentRow(PAGES.index("Search"))
        self.search.search_image(path)

    def compare_with(self, path: str) -> None:
        self.nav.setCurrentRow(PAGES.index("Compare"))
        self.compare.add(path)

    def compare_photos(self, paths) -> None:
        """A whole group in the compare view: all side by side, the first two as A and B."""
        self.nav.setCurrentRow(PAGES.index("Compare"))
        self.compare.set_photos(paths)

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        for url in event.mimeData().urls():
            path = url.toLocalFile()
            if os.path.isdir(path):
                self.add_folder(path)
            elif os.path.isfile(path) and self.nav.isEnabled():
                self.find_similar(path)
        event.acceptProposedAction()

    # -- geometry and shutdown --------------------------------------------------------------
    def _window_settings(self) -> QSettings:
        return window_settings(self.library.path)

    def _restore_geometry(self) -> None:
        stored = self._window_settings()
        if stored.value("geometry") is not None:
            self.restoreGeometry(stored.value("geometry"))  # position and screen
        size = stored.value("size")
        # The size is kept on its own: restoreGeometry counts the frame differently per platform.
        self.resize(size if size is not None else QSize(1280, 820))
        self._splitter_states = {s.objectName(): stored.value(f"splitters/{s.objectName()}")
                                 for s in (self.duplicates.splitter,)}

    def showEvent(self, event) -> None:
        super().showEvent(event)
        # Splitters are restored after the first layout pass, or Qt rescales them.
        states, self._splitter_states = self._splitter_states, {}
        if any(state is not None for state in states.values()):
            QTimer.singleShot(0, lambda: [s.restoreState(states[s.objectName()])
                                          for s in (self.duplicates.splitter,) if states.get(s.objectName())])

    def closeEvent(self, event) -> None:
        stored = self._window_settings()
        stored.setValue("geometry", self.saveGeometry())
        stored.setValue("size", self.size())
        for splitter in (self.duplicates.splitter,):
            stored.setValue(f"splitters/{splitter.objectName()}", splitter.saveState())
        stored.sync()
        if self.runner.busy and self.isVisible():
            answer = QMessageBox.question(self, "Quit Lookalike", "A job is running. Stop it and quit? "
                                          "Everything finished so far is kept.")
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        self.watcher.stop()
        self.runner.shutdown()
        self.loader.stop()
        super().closeEvent(event)


def _covering(a: Optional[set], b: Optional[set]) -> Optional[set]:
    """One scan request covering two: their paths together, or everything if either is."""
    return None if a is None or b is None else set(a) | set(b)
