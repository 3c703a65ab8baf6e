"""``python -m tui`` and the ``warta`` command: one entry point.

The collector is off while Warta starts: what it allocates then (modules, classes, the
screen) lives until exit, and collection passes over it cost ~90 ms of the start (measured).
``cli.main`` turns it back on for every command but the reader, the reader after its first frame.
"""

import gc


def run() -> int:
    gc.disable()
    from .cli import main

    return main()


if __name__ == "__main__":
    raise SystemExit(run())
