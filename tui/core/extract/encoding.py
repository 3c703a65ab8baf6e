"""Bytes to text for a web page, without mojibake and without trying to read binaries as HTML.

The order follows browsers (BOM, then the HTTP header, then ``<meta>``), with one difference
that matters in practice: a declaration is only believed if the bytes decode under it. Servers
often send ``charset=utf-8`` for cp1252 pages and vice versa; a strict decode catches that, and
charset-normalizer settles the rest.
"""

from __future__ import annotations

import codecs
import re

from ..errors import ExtractionError

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Magic numbers of formats that are sometimes served where a page was expected.
_BINARY_MAGIC: tuple[bytes, ...] = (
    b"%PDF", b"\x89PNG", b"GIF87a", b"GIF89a", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b",
    b"BZh", b"\xfd7zXZ", b"7z\xbc\xaf", b"Rar!", b"RIFF", b"OggS", b"fLaC", b"ID3", b"\x00\x00\x01\x00",
    b"wOFF", b"wOF2", b"\x7fELF", b"MZ", b"\xca\xfe\xba\xbe", b"SQLite format", b"\x28\xb5\x2f\xfd",
)
_CHARSET_PARAM = re.compile(rb"""charset\s*=\s*["']?\s*([a-zA-Z0-9_.:\-]+)""", re.I)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:\-]+)""", re.I
)
# WHATWG: these labels mean windows-1252 on the web.
_ALIASES = {
    "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
    "l1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252", "ansi_x3.4-1968": "cp1252",
    "windows-1252": "cp1252", "x-sjis": "shift_jis", "gb2312": "gb18030", "gbk": "gb18030",
    "unicode": "utf-16", "utf-16": "utf-16", "x-user-defined": "cp1252",
    "iso-8859-9": "cp1254", "tis-620": "cp874", "ks_c_5601-1987": "cp949", "euc-kr": "cp949",
}
_SNIFF_BYTES = 4096
_META_SCAN_BYTES = 4096


def decode_html(data: bytes | str, content_type: str | None = None) -> str:
    """Return the page as text; raise ``ExtractionError`` for empty or binary input."""
    if isinstance(data, str):
        text = data[1:] if data.startswith("\ufeff") else data
        if not text.strip():
            raise ExtractionError("no readable content: the page is empty")
        if "\x00" in text[:_SNIFF_BYTES]:
            raise ExtractionError("no readable content: the page is binary data, not HTML")
        return text
    if not data or not data.strip():
        raise ExtractionError("no readable content: the page is empty")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode_or_replace(data[len(bom):], encoding)
    utf16 = _sniff_utf16(data)
    if utf16:
        return _decode_or_replace(data, utf16)
    if _looks_binary(data):
        raise ExtractionError("no readable content: the page is binary data, not HTML")
    for declared in (_charset_from_header(content_type), _charset_from_meta(data), "utf-8"):
        decoded = _strict(data, declared) if declared else None
        if decoded is not None:
            return decoded
    return _mostly_utf8(data) or _guess(data)


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few broken bytes (a pasted quote, a cut sequence), as browsers show it: the
    valid multi-byte characters outnumber the bad bytes twice over. A single-byte page read as
    UTF-8 has almost no valid sequences, so it still goes to the guesser."""
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    good = sum(1 for char in text if char > "\x7f") - text.count("\ufffd")
    return text if good and good >= 2 * bad else None


def _normalise(label: str) -> str | None:
    name = label.strip().strip("\"'").lower()
    name = _ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _charset_from_header(content_type: str | None) -> str | None:
    if not content_type:
        return None
    match = _CHARSET_PARAM.search(content_type.encode("latin-1", "replace"))
    return _normalise(match.group(1).decode("ascii", "replace")) if match else None


def _charset_from_meta(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:_META_SCAN_BYTES])
    if not match:
        return None
    encoding = _normalise(match.group(1).decode("ascii", "replace"))
    # A page that reached us as bytes cannot be UTF-16 if its <meta> was readable as ASCII.
    if encoding and encoding.startswith("utf-16"):
        return "utf-8"
    return encoding


def _strict(data: bytes, encoding: str) -> str | None:
    """Decode strictly; a single-byte charset that hides valid UTF-8 is not believed."""
    try:
        text = _web_cp1252(data) if encoding == "cp1252" else data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    if encoding in ("cp1252", "iso8859-15", "iso8859-2", "cp1250") and not data.isascii():
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    return text


# cp1252 as browsers decode it (WHATWG): the five bytes Python's codec leaves undefined (0x81,
# 0x8D, 0x8F, 0x90, 0x9D) map to the C1 controls of the same number instead of failing the page.
_CP1252_OVER_LATIN1 = {byte: bytes([byte]).decode("cp1252") for byte in range(0x80, 0xA0)
                       if byte not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}


def _web_cp1252(data: bytes) -> str:
    return data.decode("latin-1").translate(_CP1252_OVER_LATIN1)


def _sniff_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: every other byte of ASCII markup is NUL."""
    head = data[:200]
    if len(head) < 8:
        return None
    even_nul = head[0::2].count(0)
    odd_nul = head[1::2].count(0)
    half = len(head) // 2
    if odd_nul > half * 0.7 and even_nul < half * 0.1:
        return "utf-16-le"
    if even_nul > half * 0.7 and odd_nul < half * 0.1:
        return "utf-16-be"
    return None


def _looks_binary(data: bytes) -> bool:
    head = data[:_SNIFF_BYTES]
    if head.startswith(_BINARY_MAGIC):
        return True
    if b"\x00" in head:
        return True
    controls = sum(1 for byte in head if byte < 9 or 13 < byte < 32)
    return controls > len(head) * 0.1


def _decode_or_replace(data: bytes, encoding: str) -> str:
    text = data.decode(encoding, "replace")
    if not text.strip():
        raise ExtractionError("no readable content: the page is empty")
    return text


def _guess(data: bytes) -> str:
    from charset_normalizer import from_bytes  # imported lazily: only for undeclared pages

    matches = from_bytes(data[:200_000])
    best = matches.best()
    if best is None:
        return _web_cp1252(data)
    # Close calls between code pages are common on mostly-ASCII pages; the web's default wins them.
    for match in matches:
        if match.encoding == "cp1252" and match.chaos <= best.chaos + 0.01 and match.coherence >= best.coherence - 0.05:
            return _web_cp1252(data)
    return data.decode(best.encoding, "replace")
