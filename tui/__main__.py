"""``python -m tui`` runs the same entry point as the ``warta`` command."""

from .cli import main

raise SystemExit(main())
