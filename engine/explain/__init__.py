"""Explaining decisions: patch maps (what DINOv2 sees) and match overlays (why two photos match).

Submodules are imported on use. Must not: touch the catalog or load models itself.
"""
