"""The vector index: FAISS only lives here. Derived data, always rebuildable from the catalog."""
