"""Human sizes written once: the byte counts the CLI, the desktop and keep reasons show.

Owns: the one way a byte count reads ("45 KB", "1.0 MB", "2.3 GB"; decimal units, as file
managers show them). Must not: round anything that is stored or compared (callers keep bytes).
"""
from __future__ import annotations


def human_size(n: int) -> str:
    """'45 KB' under 100 kB, then megabytes with one decimal, gigabytes from 1 GB."""
    if n >= 1e9:
        return f"{n / 1e9:.1f} GB"
    return f"{n / 1e6:.1f} MB" if n >= 1e5 else f"{n / 1e3:.0f} KB"
