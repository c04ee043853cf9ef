"""Reusable widgets: the job status bar, the photo grid, photo cards, thumbnails."""
