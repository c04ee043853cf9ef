"""Installs the top-level folders engine/ and desktop/ as lookalike.engine and lookalike.desktop.

Everything else about the project is in pyproject.toml; only this mapping needs code, so that a
new sub-package (engine/tags/, say) is picked up without editing a list.
"""
from setuptools import find_packages, setup

FOLDERS = ("engine", "desktop")

setup(
    packages=[f"lookalike.{name}" for name in find_packages(include=[f"{f}*" for f in FOLDERS])],
    package_dir={f"lookalike.{f}": f for f in FOLDERS},
)
