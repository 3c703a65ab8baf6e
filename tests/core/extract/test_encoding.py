"""Bytes to text: header vs meta vs BOM, UTF-16, and refusing binaries."""

from __future__ import annotations

import codecs

import pytest

from tui.core.errors import ExtractionError
from tui.core.extract import extract
from tui.core.extract.encoding import decode_html

from extract_helpers import page

WORDS = "Café crème, naïve façade — “quoted” déjà vu"


def html_with(words: str, meta: str = "") -> str:
    return page(f"<p>{words} appears in this paragraph of the article for the test.</p>", head=meta)


def test_cp1252_page_declared_utf8_in_header_but_meta_says_cp1252() -> None:
    data = html_with(WORDS, "<meta http-equiv='Content-Type' content='text/html; charset=windows-1252'>").encode("cp1252")
    article = extract(data, "https://example.com/a", content_type="text/html; charset=utf-8")
    assert WORDS in article.text


def test_cp1252_page_with_no_declaration() -> None:
    data = html_with(WORDS).replace("<meta charset='utf-8'>", "").encode("cp1252")
    assert WORDS in decode_html(data)


def test_utf8_page_declared_latin1_is_not_mojibake() -> None:
    data = html_with(WORDS).encode("utf-8")
    text = decode_html(data, "text/html; charset=ISO-8859-1")
    assert WORDS in text and "Ã" not in text


def test_header_beats_wrong_meta_when_bytes_agree() -> None:
    data = html_with("Grüße aus Köln").replace("utf-8", "shift_jis").encode("utf-8")
    assert "Grüße aus Köln" in decode_html(data, "text/html; charset=utf-8")


def test_utf8_bom() -> None:
    data = codecs.BOM_UTF8 + html_with(WORDS).encode("utf-8")
    text = decode_html(data, "text/html; charset=iso-8859-1")
    assert not text.startswith("\ufeff") and WORDS in text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16(encoding: str) -> None:
    data = html_with(WORDS).encode(encoding)
    assert WORDS in extract(data, None).text


def test_str_input_is_used_as_is() -> None:
    assert WORDS in extract(html_with(WORDS), None).text


@pytest.mark.parametrize("data", [
    b"", b"   \n\t ", "", b"\xef\xbb\xbf", b"<html><head></head><body></body></html>",
    b"<html><body><script>var a = 1;</script><nav><a href='/'>Home</a></nav></body></html>",
])
def test_empty_pages_raise(data: bytes | str) -> None:
    with pytest.raises(ExtractionError) as error:
        extract(data, "https://example.com/a")
    assert "\n" not in str(error.value) and str(error.value)


@pytest.mark.parametrize("data", [
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"GIF89a\x01\x00",
    b"\xff\xd8\xff\xe0\x00\x10JFIF", b"PK\x03\x04\x14\x00", b"\x1f\x8b\x08\x00\x00\x00",
    bytes(range(256)) * 10,
])
def test_binary_input_raises(data: bytes) -> None:
    with pytest.raises(ExtractionError, match="no readable content"):
        extract(data, "https://example.com/a")
