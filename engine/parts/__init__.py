"""The Library's parts: each owns one concern behind the one door (engine/library.py).

models (loaded models and their cache), indexes (each model's vector index and its lock),
folders (library folders and photos), duplicates (the duplicate pipeline in dedup/find.py run
against this library), search (by image, by phrase, comparisons), cleanup (references,
presets, marks, clean, undo, recovery). The Library builds them with what they need; a part
never imports the Library, and parts import only the parts they are handed.
"""
