"""Model downloads and removals: one routine for every place that offers them.

Owns: the model list as last read (off the GUI thread, read again after every action), the
download of a model the user clicked (on the writer, with progress and cancel; one that was
cancelled or broke off is offered as "Resume", the engine continuing its partial file),
removal, the words on the buttons ("Download CLIP (605 MB)"), and telling the window when a
model arrived (it then scans in the background, embedding what the library lacks).
Must not: reach the network without the user's click, ask for confirmation (the widget that
offers Remove does), or call the engine except through operations.
"""
from __future__ import annotations

from functools import partial
from typing import Optional

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from lookalike.engine import human_size

from . import operations as ops
from .dialogs.notice import show_error

# How the window names a model family (the engine's family ids are lower case).
FAMILY_NAMES = {"dinov2": "DINOv2", "clip": "CLIP", "sscd": "SSCD", "phash": "pHash"}


def family_name(info) -> str:
    return FAMILY_NAMES.get(info.family, info.family)


def size_text(info) -> str:
    """What the model takes: its size on disk when present, else what a download fetches."""
    size = info.disk_bytes if info.present else info.download_bytes
    return human_size(size) if size else ""


def progress_text(progress) -> str:
    """"45 MB of 88 MB · 12s left": downloads report bytes."""
    if not progress.total:
        return f"{human_size(progress.done)} so far" if progress.done else "Starting…"
    text = f"{human_size(progress.done)} of {human_size(progress.total)}"
    if progress.eta is not None and progress.done < progress.total:
        eta = int(progress.eta)
        text += f" · {eta // 60}m{eta % 60:02d}s left" if eta >= 60 else f" · {eta}s left"
    return text


class ModelDownloads(QObject):
    changed = Signal()               # the list was read again, or a download started or stopped
    progress = Signal(str, object)   # model name, the engine's Progress
    arrived = Signal(str)            # a download finished: the model is on this computer

    def __init__(self, library, runner, parent: Optional[QObject] = None) -> None:
        super().__init__(parent)
        self.library, self.runner = library, runner
        self.infos: dict = {}                 # name -> ModelInfo, as last read
        self.running: dict = {}               # name -> the download's CancelToken
        self.removing: set[str] = set()
        self.interrupted: set[str] = set()    # a partial download waits: the next click resumes it
        self.latest: dict = {}                # name -> the running download's last Progress
        runner.progress.connect(self._progress)

    # -- the list ---------------------------------------------------------------------------
    def refresh(self) -> None:
        self.runner.read(partial(ops.models, self.library), self._listed, key=ops.MODEL_LIST)

    def _listed(self, infos) -> None:
        self.infos = {info.name: info for info in infos}
        # A download cut off in an earlier session is offered as Resume too, not only this one's.
        self.interrupted |= {i.name for i in infos if i.partial_bytes and i.name not in self.running}
        self.changed.emit()

    def info(self, name: str):
        return self.infos.get(name)

    def button_text(self, name: str, named: bool = False) -> str:
        """"Download (88 MB)", "Resume (88 MB)", or with `named` "Download CLIP (605 MB)"."""
        info = self.infos.get(name)
        verb = "Resume" if name in self.interrupted else "Download"
        if named:
            verb += f" {family_name(info) if info else name}"
        size = size_text(info) if info is not None else ""
        return f"{verb} ({size})" if size else verb

    # -- actions ----------------------------------------------------------------------------
    def download(self, name: str) -> None:
        """Starts downloading `name` (the click is the consent); a second click while it runs
        changes nothing."""
        if name in self.running:
            return
        self.running[name] = self.runner.write(
            ops.download_label(name), partial(ops.download_model, self.library, name),
            partial(self._downloaded, name), on_error=partial(self._failed, name),
            on_cancel=partial(self._stopped, name))
        self.changed.emit()

    def cancel(self, name: str) -> None:
        token = self.running.get(name)
        if token is not None:
            token.cancel()

    def remove(self, name: str) -> None:
        if name in self.removing or name in self.running:
            return
        self.removing.add(name)
        self.runner.write(ops.remove_label(name), partial(ops.remove_model, self.library, name),
                          lambda _: self._removed(name), on_error=partial(self._remove_failed, name))
        self.changed.emit()

    def _progress(self, label: str, progress) -> None:
        for name in self.running:
            if label == ops.download_label(name):
                self.latest[name] = progress
                self.progress.emit(name, progress)

    def _downloaded(self, name: str, _where) -> None:
        self.running.pop(name, None)
        self.latest.pop(name, None)
        self.interrupted.discard(name)
        self.refresh()
        self.changed.emit()
        self.arrived.emit(name)

    def _stopped(self, name: str) -> None:
        self.running.pop(name, None)
        self.latest.pop(name, None)
        self.interrupted.add(name)
        self.refresh()
        self.changed.emit()

    def _failed(self, name: str, exc: BaseException) -> None:
        self._stopped(name)   # what arrived is kept: the next click resumes it
        show_error(self._window(), f"{name} was not downloaded", exc)

    def _removed(self, name: str) -> None:
        self.removing.discard(name)
        self.interrupted.discard(name)
        self.refresh()
        self.changed.emit()

    def _remove_failed(self, name: str, exc: BaseException) -> None:
        self._removed(name)
        show_error(self._window(), f"{name} was not removed", exc)

    def _window(self) -> Optional[QWidget]:
        parent = self.parent()
        return parent if isinstance(parent, QWidget) else None
