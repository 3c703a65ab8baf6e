"""Article extraction: HTML in, a clean ``Article`` out (readability + cleanup + metadata).

Pure functions only: no I/O, no globals mutated, no Textual. ``extract`` is the entry point;
``furniture_paragraphs``/``drop_furniture`` remove text a site repeats on every article.
"""

from __future__ import annotations

from .boilerplate import drop_furniture, furniture_paragraphs
from .pipeline import extract

__all__ = ["drop_furniture", "extract", "furniture_paragraphs"]
