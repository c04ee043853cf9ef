"""One screen per module: duplicates, photos, search, compare, welcome."""
