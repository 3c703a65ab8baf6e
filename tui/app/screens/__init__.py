"""Screens and dialogs of the Warta app."""
