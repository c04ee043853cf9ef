"""Preferences: duplicate model, thresholds per tier (with where chance similarity ends for
that model), device, model folder, the Models page, keep-best presets and reference folders.

Owns: editing copies of the values and returning them. Must not: save settings or touch the
ledger itself (the main window applies the result through the writer); downloads and removals
on the Models page run at once through ModelDownloads, since the click is the consent.
"""
from __future__ import annotations

import copy

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFileDialog,
                               QFormLayout, QHBoxLayout, QInputDialog, QLabel, QLineEdit, QListWidget,
                               QPushButton, QTabWidget, QVBoxLayout, QWidget)

from lookalike.engine import TEXT_MODEL
from lookalike.engine.errors import LookalikeError

from .. import operations as ops
from ..model_downloads import ModelDownloads
from ..widgets.calibration_line import CalibrationLine
from ..widgets.model_manager import ModelManager
from .form import folder_field
from .start_folder import remember, start_folder


def model_choice(info) -> str:
    """A model as the choice names it: whether it is here, and what to do when it is not."""
    if info.present:
        return info.name
    return f"{info.name} (not on this computer: download in Models)" if info.can_download else \
        f"{info.name} (not on this computer)"


class PreferencesDialog(QDialog):
    def __init__(self, library, parent=None, devices=None, runner=None, downloads=None) -> None:
        """`devices`: what the main window detected in the background (None: not known yet);
        `runner` reads the calibration and, with `downloads`, runs the Models page (without a
        runner, as in tests of the other pages, neither is shown)."""
        super().__init__(parent)
        self.devices = devices
        self.runner = runner
        if runner is not None and downloads is None:
            downloads = ModelDownloads(library, runner, self)
        self.downloads = downloads
        self.setObjectName("preferencesDialog")
        self.setWindowTitle("Preferences")
        self.library = library
        self.settings = copy.deepcopy(library.settings)
        self.presets = copy.deepcopy({k: v for k, v in library.presets().items()})
        self.builtin = set(library.presets()) - set(library.saved_presets())
        self.references = list(library.reference_folders())
        tabs = QTabWidget()
        tabs.addTab(self._general(), "General")
        if downloads is not None:
            self.models_page = ModelManager(downloads)
            tabs.addTab(self.models_page, "Models")
            downloads.changed.connect(self._name_models)
        self.tabs = tabs
        tabs.addTab(self._keep_best(), "Keep-best presets")
        tabs.addTab(self._references(), "Reference folders")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(buttons)

    # -- general ----------------------------------------------------------------------------
    def _general(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        # The models that find duplicates, as the engine lists them (the text model only searches).
        models = [m for m in self.library.models() if m.name != TEXT_MODEL]
        self.model = QComboBox()
        for info in models:
            self.model.addItem(model_choice(info), info.name)
            self.model.setItemData(self.model.count() - 1, info.description, Qt.ItemDataRole.ToolTipRole)
        names = [m.name for m in models]
        self.model.setCurrentIndex(names.index(self.settings.model) if self.settings.model in names else 0)
        self.model.currentIndexChanged.connect(self._load_thresholds)
        self.model_note = QLabel("")   # a missing model is named as such, with where to get it
        self.model_note.setWordWrap(True)
        self.model.currentIndexChanged.connect(self._note_model)
        self._infos = {m.name: m for m in models}
        # Minimum 0: SSCD's similar tier starts at 0.25; a higher floor rewrote it on OK.
        self.near = QDoubleSpinBox(decimals=2, minimum=0.0, maximum=1.0, singleStep=0.01)
        self.similar = QDoubleSpinBox(decimals=2, minimum=0.0, maximum=1.0, singleStep=0.01)
        self.device = QComboBox()
        self.device.addItems(["auto", "cpu", "cuda", "mps"])
        if self.device.findText(self.settings.device) < 0:
            self.device.addItem(self.settings.device)   # kept as written, never replaced by "auto"
        self.device.setCurrentText(self.settings.device)
        detected = QLabel(self._detected())
        self.model_dir, folder_row = folder_field(self.settings.model_dir or "",
                                                  "Folder holding e.g. facebook/dinov2-small/", self._browse_models)
        self.text_search = QCheckBox("Index photos for text search (CLIP) when its weights are present")
        self.text_search.setChecked(self.settings.text_search)
        form.addRow("Duplicate model", self.model)
        form.addRow("", self.model_note)
        form.addRow("Near-duplicate threshold", self.near)
        form.addRow("Similar-scene threshold", self.similar)
        self.calibration = None
        if self.runner is not None:   # "Chance similarity ends near 0.18 here (...)"
            self.calibration = CalibrationLine(self.library, self.runner, ops.CALIBRATION_SHOWN)
            self.calibration.setMinimumWidth(420)   # else the form sizes it for a narrow wrap: blank lines
            form.addRow("", self.calibration)
        form.addRow("Device", self.device)
        form.addRow("", detected)
        form.addRow("Model folder", folder_row)
        form.addRow("", self.text_search)
        self._thresholds: dict[str, tuple[float, float]] = {}
        self._stored: dict[str, tuple[float, float]] = {}   # what each model's thresholds were
        self._shown_model = None
        self._load_thresholds()
        self._note_model()
        return page

    def _note_model(self) -> None:
        info = self._infos.get(self.model.currentData())
        missing = info is not None and not info.present
        self.model_note.setVisible(missing)
        if missing:
            self.model_note.setText(
                f"{info.name} is not on this computer: download it on the Models page, or the next scan "
                "will ask what to do." if info.can_download else
                f"{info.name} is not on this computer and cannot be downloaded here; choose a model folder "
                "that holds it.")

    def _detected(self) -> str:
        if self.devices is None:
            return "Detecting devices… (reopen Preferences in a moment)"
        return "Detected here: " + ", ".join(d.upper() for d in self.devices)

    def _load_thresholds(self) -> None:
        if self._shown_model:
            self._thresholds[self._shown_model] = (self.near.value(), self.similar.value())
        name = self.model.currentData()
        stored = self.library.thresholds(name)
        self._stored.setdefault(name, (stored["near"], stored["similar"]))
        near, similar = self._thresholds.get(name, self._stored[name])
        self.near.setValue(near)
        self.similar.setValue(similar)
        if self.calibration is not None and name != self._shown_model:
            self.calibration.load(name)
        self._shown_model = name

    def _name_models(self) -> None:
        """The model choices say present or missing as the Models page changes that."""
        for row in range(self.model.count()):
            info = self.downloads.info(self.model.itemData(row))
            if info is not None:
                self.model.setItemText(row, model_choice(info))
                self._infos[info.name] = info
        self._note_model()

    def _browse_models(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Model folder")
        if folder:
            self.model_dir.setText(folder)

    # -- presets ----------------------------------------------------------------------------
    def _keep_best(self) -> QWidget:
        page = QWidget()
        self.preset_list = QListWidget()
        self.preset_list.addItems(list(self.presets))
        self.rule_list = QListWidget()
        # A long rule ("formats = RAW, DNG, HEIF, …") wraps to the list's width, never clipped.
        self.rule_list.setWordWrap(True)
        self.rule_list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.rule_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.preset_list.currentTextChanged.connect(self._show_rules)
        self.rule_choice = QComboBox()
        self.rule_choice.addItems(list(self.library.keep_rules()))
        self.rule_param = QLineEdit()
        self.rule_param.setPlaceholderText("order, e.g. HEIF,PNG,JPEG or /photos/best,/photos/good; for series: frames to keep")
        buttons = {}
        for text, slot in (("New preset…", self._new_preset), ("Add rule", self._add_rule),
                           ("Remove rule", self._remove_rule), ("Up", lambda: self._move_rule(-1)),
                           ("Down", lambda: self._move_rule(1))):
            buttons[text] = QPushButton(text)
            buttons[text].clicked.connect(slot)
        self.rule_buttons = [buttons[t] for t in ("Add rule", "Remove rule", "Up", "Down")]
        left = QVBoxLayout()
        left.addWidget(QLabel("Presets"))
        left.addWidget(self.preset_list)
        left.addWidget(buttons["New preset…"])
        right = QVBoxLayout()
        right.addWidget(QLabel("Rules, in order (each breaks the ties of the ones above)"))
        right.addWidget(self.rule_list)
        add_row = QHBoxLayout()
        add_row.addWidget(self.rule_choice)
        add_row.addWidget(self.rule_param, 1)
        right.addLayout(add_row)
        self.rule_problem = QLabel()
        self.rule_problem.setObjectName("ruleProblem")
        self.rule_problem.setWordWrap(True)
        right.addWidget(self.rule_problem)
        row = QHBoxLayout()
        for b in self.rule_buttons:
            row.addWidget(b)
        right.addLayout(row)
        layout = QHBoxLayout(page)
        layout.addLayout(left, 1)
        layout.addLayout(right, 2)
        self.preset_list.setCurrentRow(0)
        return page

    def _current_preset(self):
        item = self.preset_list.currentItem()
        return item.text() if item else None

    def _show_rules(self, name: str) -> None:
        self.rule_list.clear()
        for spec in self.presets.get(name, []):
            order = spec.get("order")
            if spec["rule"] == "series":
                self.rule_list.addItem(f"series = keep the best {spec.get('keep', 1)}")
                continue
            self.rule_list.addItem(spec["rule"] + (f" = {', '.join(order)}" if order else ""))
        editable = name not in self.builtin
        for b in self.rule_buttons:
            b.setEnabled(editable)

    def _new_preset(self) -> None:
        name, ok = QInputDialog.getText(self, "New preset", "Name of the new preset:")
        name = name.strip()
        if ok and name and name not in self.presets:
            self.presets[name] = copy.deepcopy(self.presets.get(self._current_preset() or "default", []))
            self.preset_list.addItem(name)
            self.preset_list.setCurrentRow(self.preset_list.count() - 1)

    def _add_rule(self) -> None:
        name = self._current_preset()
        text = self.rule_choice.currentText() + ("=" + self.rule_param.text() if self.rule_param.text().strip() else "")
        try:
            self.presets[name].append(self.library.parse_keep_rule(text))
        except LookalikeError as exc:   # "series=0 keeps no frame: ..." under the rule row
            self.rule_problem.setText(str(exc))
            return
        self.rule_problem.clear()
        self._show_rules(name)

    def _remove_rule(self) -> None:
        name, row = self._current_preset(), self.rule_list.currentRow()
        if name and 0 <= row < len(self.presets[name]) and len(self.presets[name]) > 1:
            del self.presets[name][row]
            self._show_rules(name)

    def _move_rule(self, step: int) -> None:
        name, row = self._current_preset(), self.rule_list.currentRow()
        rules = self.presets.get(name, [])
        if 0 <= row < len(rules) and 0 <= row + step < len(rules):
            rules[row], rules[row + step] = rules[row + step], rules[row]
            self._show_rules(name)
            self.rule_list.setCurrentRow(row + step)

    # -- reference folders ------------------------------------------------------------------
    def _references(self) -> QWidget:
        page = QWidget()
        self.reference_list = QListWidget()
        self.reference_list.addItems(self.references)
        add, remove = QPushButton("Add folder…"), QPushButton("Remove")
        add.clicked.connect(self._add_reference)
        remove.clicked.connect(self._remove_reference)
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel("Photos in reference folders are never proposed for removal and never touched."))
        layout.addWidget(self.reference_list)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        layout.addLayout(row)
        return page

    def _add_reference(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Reference folder", start_folder(self.library, "reference"))
        remember("reference", folder)
        if folder and folder not in self.references:
            self.references.append(folder)
            self.reference_list.addItem(folder)

    def _remove_reference(self) -> None:
        row = self.reference_list.currentRow()
        if row >= 0:
            self.references.pop(row)
            self.reference_list.takeItem(row)

    # -- result -----------------------------------------------------------------------------
    def _accept(self) -> None:
        self._load_thresholds()
        self.settings.model = self.model.currentData()
        for name, shown in self._thresholds.items():
            # Only a value the user changed is written: the box shows 2 decimals, and an
            # untouched 0.6875 or a default must not become a stored 0.69.
            changed = {tier: value for tier, value, stored in zip(("near", "similar"), shown, self._stored[name])
                       if abs(value - round(stored, 2)) > 1e-9}
            if changed:
                self.settings.thresholds.setdefault(name, {}).update(changed)
        self.settings.device = self.device.currentText()
        self.settings.model_dir = self.model_dir.text().strip() or None
        self.settings.text_search = self.text_search.isChecked()
        self.accept()

    def apply(self, library) -> None:
        """Saves what the dialog edited (runs on the writer thread); settings.json is left
        untouched when nothing in it changed."""
        if self.settings != library.settings:
            library.settings = self.settings
            library.save_settings()
        for name, rules in self.presets.items():
            if name not in self.builtin:
                library.save_preset(name, rules)
        current = set(library.reference_folders())
        for folder in set(self.references) - current:
            library.add_reference_folder(folder)
        for folder in current - set(self.references):
            library.remove_reference_folder(folder)
