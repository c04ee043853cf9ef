"""Dialogs: preferences, missing model, clean-up confirmation, notices."""
