"""What the reader's first frame does not need is not imported before it: the network (httpx),
the worker pool (multiprocessing), sync and Pillow load with their first use, not at start; the
width tables only for text that may hold a wide character."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tui.core.store import Store

from ..conftest import make_record

ROOT = Path(__file__).resolve().parents[2]
NOT_AT_START = ("httpx", "PIL", "multiprocessing", "tui.core.fetch", "tui.core.pool",
                "tui.core.refresh", "tui.core.sync", "wcwidth")


def test_the_reader_starts_without_network_pool_sync_or_pillow(store: Store) -> None:
    # Accented site names, long enough to be measured before they are drawn.
    store.put_articles([make_record(n, site=f"éditions-numéro-{n}.café-presse.example")
                        for n in range(1, 30)])
    # The app as ``warta`` starts it, in a process of its own (this one has imported them all),
    # to its first frame and the article the cursor rests on, shown in the reader.
    code = textwrap.dedent("""
        import asyncio, sys
        from pathlib import Path
        from tui.core.config import Config
        from tui.core.library import Library
        from tui.app.app import WartaApp

        async def main():
            library = Library.open(Config(), Path(sys.argv[1]), rebuild_later=True)
            app = WartaApp(library, refresh_on_start=False, offline=True)
            try:
                async with app.run_test(size=(100, 30)) as pilot:
                    for _ in range(400):  # the reader follows the cursor after 80 ms (or, loaded, later)
                        if "Article number 29" in str(app.main.reader.text_lines[:3]):
                            break
                        await pilot.pause(0.05)
                    assert "Article number 29" in str(app.main.reader.text_lines[:3]), \\
                        app.main.reader.text_lines[:3]
                    loaded = [name for name in sys.argv[2:] if name in sys.modules]
                    print(" ".join(loaded) or "none")
            finally:
                library.close()

        asyncio.run(main())
    """)
    result = subprocess.run([sys.executable, "-c", code, str(store.data_dir), *NOT_AT_START],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == ["none"], result.stdout


def test_pictures_still_load_pillow_when_one_is_decoded() -> None:
    """The lazy import is not a lost one: decoding a picture works from a fresh process."""
    code = textwrap.dedent("""
        import io, sys
        from tui.core import images
        assert "PIL" not in sys.modules
        from PIL import Image
        buffer = io.BytesIO()
        Image.new("RGB", (64, 64), (200, 10, 10)).save(buffer, format="PNG")
        cells = images.to_cells(buffer.getvalue(), 8, 4)
        print(cells.width, cells.height, Image.MAX_IMAGE_PIXELS == images.MAX_PIXELS_JPEG)
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == ["8", "4", "True"]
