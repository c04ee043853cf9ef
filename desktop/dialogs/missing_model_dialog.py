"""When the chosen model's weights are absent: one dialog that explains and offers ways on.

Owns: the choices: download (only when downloads are allowed), choose a model folder, use
SSCD when it is installed, or carry on with exact + pHash duplicates only. Must not: download
or change settings itself (the main window acts on the choice).
"""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QVBoxLayout


class MissingModelDialog(QDialog):
    def __init__(self, model: str, hub_id: str | None, allow_download: bool, sscd_available: bool,
                 parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("missingModelDialog")
        self.setWindowTitle("Model not found")
        self.choice: str | None = None
        where = f" ({hub_id})" if hub_id else ""
        text = QLabel(f"<b>The {model} model{where} is not on this computer.</b><br><br>"
                      "Lookalike needs its weights to find near-duplicates (crops, edits, re-saved copies). "
                      "Nothing has been changed in your library.")
        text.setWordWrap(True)
        text.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        self.buttons = {}
        options = [
            ("download", "Download it now", allow_download,
             "" if allow_download else "Downloads are off; allow them in Preferences first."),
            ("folder", "Choose a model folder…", True, "A folder holding facebook/dinov2-small/ and similar."),
            ("sscd", "Use SSCD instead (copy detection, installed)", sscd_available, ""),
            ("phash", "Continue with exact + pHash duplicates only", True,
             "Finds byte-identical and resized copies; misses crops and edits."),
        ]
        for key, label, enabled, tip in options:
            if key == "sscd" and not enabled:
                continue
            button = QPushButton(label)
            button.setEnabled(enabled)
            button.setToolTip(tip)
            button.clicked.connect(lambda _=False, k=key: self._pick(k))
            layout.addWidget(button)
            self.buttons[key] = button
        cancel = QPushButton("Not now")
        cancel.clicked.connect(self.reject)
        layout.addWidget(cancel)

    def _pick(self, key: str) -> None:
        self.choice = key
        self.accept()
