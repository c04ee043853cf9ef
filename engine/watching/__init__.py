"""Folder watching: watchdog events, filtered and debounced, become 'scan again' calls."""
