"""The Textual app: screens and widgets on top of ``tui.core``."""
