"""The catalog: the only place with SQL. See store.py for the operations."""
