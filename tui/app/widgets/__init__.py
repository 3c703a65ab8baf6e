"""Widgets of the Warta app."""
