"""Warta: a terminal news reader that shows the whole, clean article."""

__version__ = "0.1.0"
