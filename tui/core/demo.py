"""The demo data dir: bundled sample pages put through the real extraction path."""

from __future__ import annotations

import json
import time
from importlib import resources

from .articles import record_from_article
from .extract import extract
from .models import ArticleRecord
from .store import Store


def seed_demo(store: Store) -> int:
    """Extract every bundled sample into ``store``; returns how many articles it holds."""
    samples = resources.files("tui") / "samples"
    manifest = json.loads((samples / "manifest.json").read_text(encoding="utf-8"))
    records: list[ArticleRecord] = []
    now = time.time()
    for entry in manifest:
        html = (samples / entry["file"]).read_bytes()
        article = extract(html, entry["url"])
        feed_url = "demo:" + entry["feed"]
        records.append(record_from_article(
            article, url=entry["url"], fetched=now, feeds=(feed_url,), feed_tags=tuple(entry["tags"]),
        ))
        store.put_raw(records[-1].id, html, {"content-type": "text/html; charset=utf-8"})
    store.put_articles(records)
    return len(records)
