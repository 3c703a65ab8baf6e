"""Rich renderables that lay text out by the core's rules (``core.textwidth``), not Rich's.

Rich wraps at spaces and folds anything else at the edge: Japanese and Chinese then break
anywhere (a line starting with 。 or 」), and a long code line folds to column 0. These keep
the styles of the ``Text`` they are given (links, highlights) and only choose where lines end.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from ..core.textwidth import TAB_SIZE, TABLE_GAP, cells, code_lines, column_widths, has_ideographs, line_spans


def wrapped(text: Text) -> RenderableType:
    """``text`` broken into lines by the kinsoku rules when it has CJK in it; Rich's own
    wrapping (the same at spaces, and faster) otherwise."""
    return KinsokuText(text) if has_ideographs(text.plain) else text


def lines_of(text: Text, spans: Sequence[tuple[int, int]]) -> list[Text]:
    """``text[start:end]`` for each span, cut in one pass (slicing a ``Text`` one line at a
    time costs the whole text per line: 12.8 s instead of 0.2 s for a 52,000-character article)."""
    offsets = sorted({offset for span in spans for offset in span})
    pieces = text.divide(offsets)
    starts = [0, *offsets]
    by_start = {start: piece for start, piece in zip(starts, pieces)}
    return [by_start[start] if end > start else Text("", style=text.style) for start, end in spans]


class KinsokuText:
    """A paragraph broken where Japanese and Chinese typesetting allows (see ``line_spans``)."""

    def __init__(self, text: Text) -> None:
        self.text = text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in lines_of(self.text, line_spans(self.text.plain, options.max_width)):
            yield from line.render(console)
            yield Segment.line()

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        lines = self.text.plain.split("\n")
        longest = max((cells(line) for line in lines), default=0)
        return Measurement(min(longest, 2), longest)


class CodeBlock:
    """Code that keeps its indentation when a line wraps: the rest of the line continues two
    cells past where the line began, never at column 0."""

    def __init__(self, text: Text, *, indent: int = 4) -> None:
        self.text = text.copy()
        self.text.expand_tabs(TAB_SIZE)
        self.indent = indent

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        room = max(4, options.max_width - self.indent)
        for line in code_lines(self.text.plain, room):
            yield Segment(" " * (self.indent + line.indent))
            yield from self.text[line.start:line.end].render(console)
            yield Segment.line()

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        longest = max((cells(line) for line in self.text.plain.split("\n")), default=0)
        return Measurement(min(self.indent + 8, self.indent + longest), self.indent + longest)


class TableBlock:
    """Rows of cells as an aligned table when the columns fit, else each row as a small block
    of "header: value" lines (a table too wide for the screen is unreadable when squeezed)."""

    def __init__(self, rows: Sequence[Sequence[Text]], *, header_style: str | Style = "bold") -> None:
        self.rows = [list(row) for row in rows if row]
        self.header_style = header_style

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if not self.rows:
            return
        size = options.max_width
        plain = [[cell.plain.replace("\n", " ") for cell in row] for row in self.rows]
        widths = column_widths(plain, size)
        if widths is None:
            yield from self._as_rows(console, size)
            return
        gap = Segment(" " * TABLE_GAP)
        for number, row in enumerate(self.rows):
            cell_lines = []
            for column, width in enumerate(widths):
                cell = row[column] if column < len(row) else Text("")
                cell = cell.copy()
                cell.plain = cell.plain.replace("\n", " ")
                if number == 0:
                    cell.stylize(self.header_style)
                cell_lines.append([cell[start:end] for start, end in line_spans(cell.plain, max(1, width))]
                                  or [Text("")])
            for line in range(max(len(lines) for lines in cell_lines)):
                for column, width in enumerate(widths):
                    if column:
                        yield gap
                    piece = cell_lines[column][line] if line < len(cell_lines[column]) else Text("")
                    yield from piece.render(console)
                    if column < len(widths) - 1:
                        yield Segment(" " * max(0, width - cells(piece.plain)))
                yield Segment.line()

    def _as_rows(self, console: Console, size: int) -> RenderResult:
        header = self.rows[0]
        for number, row in enumerate(self.rows[1:] or self.rows):
            if number:
                yield Segment.line()
            for column, cell in enumerate(row):
                line = Text()
                if len(self.rows) > 1 and column < len(header) and header[column].plain.strip():
                    line.append(header[column].plain.strip() + ": ", style=self.header_style)
                line.append_text(cell)
                for start, end in line_spans(line.plain, size):
                    yield from line[start:end].render(console)
                    yield Segment.line()

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        plain = [[cell.plain for cell in row] for row in self.rows]
        widths = column_widths(plain, 10**6) or [0]
        return Measurement(min(20, sum(widths)), sum(widths) + TABLE_GAP * (len(widths) - 1))
