"""Warta's core: everything that is not the terminal UI.

Nothing under ``tui.core`` may import Textual (a test checks ``sys.modules``): the CLI and
``warta fetch`` from cron should not pay for it.
"""
