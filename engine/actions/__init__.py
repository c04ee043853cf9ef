"""Clean-up actions on files: trash, move, hardlink, each journaled and undoable."""
