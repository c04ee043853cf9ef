"""The pieces every form dialog here is built from, written once.

Owns: the wrapped intro text, a tag-name field, the hint line that says why a main button is
disabled, Cancel plus the main button, and a folder field with its "Choose…" button.
Must not: know what any dialog asks for.
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QLineEdit, QPushButton


def intro_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


def name_field(placeholder: str) -> QLineEdit:
    field = QLineEdit()
    field.setPlaceholderText(placeholder)
    field.setMaxLength(64)
    return field


def reason_label() -> QLabel:
    """The line under a form that says why its main button is disabled, or what it will do."""
    label = QLabel()
    label.setObjectName("hintLabel")
    label.setWordWrap(True)
    return label


def dialog_buttons(dialog: QDialog, text: str):
    """Cancel and the dialog's main button (`text`), wired to reject and accept."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    main = buttons.addButton(text, QDialogButtonBox.ButtonRole.AcceptRole)
    main.setObjectName("primaryButton")
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons, main


def folder_field(text: str, placeholder: str, on_browse: Callable[[], None]):
    """A folder path field and its "Choose…" button, in one row."""
    field = QLineEdit(text)
    field.setPlaceholderText(placeholder)
    browse = QPushButton("Choose…")
    browse.clicked.connect(on_browse)
    row = QHBoxLayout()
    row.addWidget(field, 1)
    row.addWidget(browse)
    return field, row
