"""Scanning: walk library folders, fingerprint files, decode images, run the incremental scan."""
