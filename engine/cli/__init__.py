"""The `lookalike` command: a thin shell over the Library, with text or JSON output.

Layout: parser (sub-commands, each bound to its handler), app (run one command, map failures
to exit codes), one handler module per concern (folder_, search_, model_, cleanup_commands,
doctor_command), render (the only writer to the terminal), failures (exit codes, error
sentences). Must not: hold engine logic; nothing else in the program imports this package
(packaging/entry.py and the `lookalike` entry point excepted).
"""
from .app import main
from .parser import build_parser
from .render import TerminalProgress

__all__ = ["main", "build_parser", "TerminalProgress"]
