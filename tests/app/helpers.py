"""Small readers of app state for the tests: what the list, reader, status line and toasts show."""

from __future__ import annotations

import io

from rich.console import Console, RenderableType

from tui.app.app import WartaApp
from tui.app.widgets.article_list import ArticleList
from tui.app.widgets.reader import Reader


def article_list(app: WartaApp) -> ArticleList:
    return app.main.query_one(ArticleList)


def reader(app: WartaApp) -> Reader:
    return app.main.query_one(Reader)


def reader_text(app: WartaApp) -> str:
    return "\n".join(reader(app).text_lines)


def status_text(app: WartaApp) -> str:
    return str(app.main.query_one("#status").render())


def notifications(app: WartaApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def titles(app: WartaApp) -> list[str]:
    widget = article_list(app)
    return [s.title for s in (widget.summary_at(i) for i in range(len(widget.rowids))) if s]


def current_id(app: WartaApp) -> str:
    summary = article_list(app).current
    assert summary is not None
    return summary.id


def plain(renderable: RenderableType, width: int = 120) -> str:
    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    console.print(renderable)
    return console.export_text()
