"""Dates as pages write them, to ISO 8601.

Machine dates (``2019-09-26T10:15:00+07:00``, ``2019-09-26 10:15``, RFC 2822) and the visible
ones people read ("Kamis, 26 September 2019 10:15 WIB", "March 25, 2015", "24. November 2017",
"26 de septiembre de 2019") in English, Indonesian/Malay, German, French, Spanish, Portuguese,
Italian and Dutch. The result keeps only what the page said: a date alone stays a date.
"""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import parsedate_tz

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "january jan januari janvier janv enero ene janeiro gennaio genn gen januar jänner jaenner",
        "february feb februari februar février fevrier févr fevr febrero febr fevereiro fev febbraio",
        "march mar maret märz maerz mars marzo março marco mrt maart",
        "april apr avril abril abr aprile",
        "may mei mai mayo maio maggio mag",
        "june jun juni juin junio junho giugno giu",
        "july jul juli juillet juil julio julho luglio lug",
        "august aug agustus agu ags août aout agosto ago augustus",
        "september sep sept septembre septiembre set setembro settembre",
        "october oct oktober okt octobre octubre outubro out ottobre ott",
        "november nov nopember novembre noviembre novembro",
        "december dec desember des dez décembre decembre déc diciembre dic dezembro dezember dicembre",
    ),
    start=1,
):
    for _name in _names.split():
        MONTHS.setdefault(_name, _number)

# Offsets of the zone abbreviations news sites print next to a time.
ZONES: dict[str, str] = {
    "wib": "+07:00", "wita": "+08:00", "wit": "+09:00", "utc": "+00:00", "gmt": "+00:00",
    "z": "+00:00", "bst": "+01:00", "cet": "+01:00", "cest": "+02:00", "mez": "+01:00",
    "mesz": "+02:00", "eet": "+02:00", "eest": "+03:00", "msk": "+03:00", "ist": "+05:30",
    "sgt": "+08:00", "myt": "+08:00", "hkt": "+08:00", "jst": "+09:00", "kst": "+09:00",
    "aest": "+10:00", "aedt": "+11:00", "est": "-05:00", "edt": "-04:00", "cst": "-06:00",
    "cdt": "-05:00", "mst": "-07:00", "mdt": "-06:00", "pst": "-08:00", "pdt": "-07:00",
}

_ISO = re.compile(
    r"(?P<y>(?:19|20)\d\d)-(?P<m>[01]?\d)-(?P<d>[0-3]?\d)"
    r"(?:[T ](?P<H>[0-2]?\d):(?P<M>[0-5]\d)(?::(?P<S>[0-5]\d)(?:\.\d+)?)?"
    r"\s*(?P<tz>Z|[+-][01]\d:?[0-5]\d)?)?"
)
_COMPACT = re.compile(r"^(?P<y>(?:19|20)\d\d)(?P<m>[01]\d)(?P<d>[0-3]\d)(?:T?(?P<H>[0-2]\d)(?P<M>[0-5]\d))?")
_MONTH_WORD = r"(?P<mon>[^\W\d_]{3,10})\.?"
_DAY = r"(?P<d>[0-3]?\d)(?:st|nd|rd|th|er|º|°)?\.?"
_YEAR = r"(?P<y>(?:19|20)\d\d)"
_TIME = (
    r"(?:\D{0,12}?(?P<H>[0-2]?\d)[:.h](?P<M>[0-5]\d)(?::(?P<S>[0-5]\d))?\s*(?P<ampm>[ap]\.?m\.?)?"
    r"(?:\s*\(?(?P<zone>[A-Za-z]{1,5})\)?(?![a-zA-Z]))?(?:\s*(?P<tz>(?:GMT|UTC)?[+-]\d\d?(?::?\d\d)?))?)?"
)
_DAY_MONTH_YEAR = re.compile(
    _DAY + r"\s*(?:de\s+|of\s+)?" + _MONTH_WORD + r",?\s*(?:de\s+)?" + _YEAR + _TIME, re.I
)
_MONTH_DAY_YEAR = re.compile(_MONTH_WORD + r"\s+" + _DAY + r",?\s+" + _YEAR + _TIME, re.I)
_NUMERIC = re.compile(
    r"(?<!\d)(?P<d>[0-3]?\d)[/.](?P<m>[01]?\d)[/.]" + _YEAR + _TIME.replace(r"\D{0,12}?", r"[,\s]{1,3}"), re.I
)


def parse_date(text: str | None, *, visible: bool = False) -> str | None:
    """Return ``text``'s date as ISO 8601 (date, or date and time with an offset if given).

    ``visible`` also accepts day-first numeric dates ("26/09/2019"), which are only trusted in
    text a person reads next to the headline, never in machine fields where they are ambiguous.
    """
    if not text:
        return None
    text = text.strip()
    if len(text) > 300:
        text = text[:300]
    for parse in (_parse_iso, _parse_words, _parse_rfc2822):
        result = parse(text)
        if result:
            return result
    if visible:
        match = _NUMERIC.search(text)
        if match:
            return _compose(match, int(match.group("m")))
    return None


def _parse_iso(text: str) -> str | None:
    match = _ISO.search(text)
    if not match:
        match = _COMPACT.match(text)
        if not match:
            return None
    try:
        year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
        datetime(year, month, day)
    except ValueError:
        return None
    date = f"{year:04d}-{month:02d}-{day:02d}"
    if match["H"] is None:
        return date
    hour, minute = int(match["H"]), int(match["M"])
    second = int(match.groupdict().get("S") or 0)
    if hour > 23:
        return date
    offset = match.groupdict().get("tz")
    if offset:
        offset = "+00:00" if offset.upper() == "Z" else _format_offset(offset)
    return f"{date}T{hour:02d}:{minute:02d}:{second:02d}{offset or ''}"


def _parse_words(text: str) -> str | None:
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        for match in pattern.finditer(text):
            month = _month_number(match["mon"])
            if month:
                return _compose(match, month)
    return None


def _parse_rfc2822(text: str) -> str | None:
    parsed = parsedate_tz(text)
    if not parsed:
        return None
    year, month, day, hour, minute, second = parsed[:6]
    try:
        datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    offset = parsed[9]
    zone = ""
    if offset is not None:
        sign = "+" if offset >= 0 else "-"
        zone = f"{sign}{abs(offset) // 3600:02d}:{abs(offset) % 3600 // 60:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}{zone}"


def _month_number(word: str) -> int | None:
    return MONTHS.get(word.lower().rstrip("."))


def _compose(match: re.Match[str], month: int) -> str | None:
    try:
        year, day = int(match["y"]), int(match["d"])
        datetime(year, month, day)
    except ValueError:
        return None
    date = f"{year:04d}-{month:02d}-{day:02d}"
    if not match["H"]:
        return date
    hour, minute = int(match["H"]), int(match["M"])
    second = int(match["S"] or 0)
    ampm = (match["ampm"] or "").replace(".", "").lower()
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    if hour > 23:
        return date
    offset = ""
    if match["tz"]:
        offset = _format_offset(re.sub(r"(?i)gmt|utc", "", match["tz"]))
    elif match["zone"]:
        offset = ZONES.get(match["zone"].lower(), "")
    return f"{date}T{hour:02d}:{minute:02d}:{second:02d}{offset}"


def _format_offset(value: str) -> str:
    sign = "-" if value.startswith("-") else "+"
    digits = re.sub(r"\D", "", value)
    if len(digits) <= 2:
        hours, minutes = int(digits or 0), 0
    else:
        hours, minutes = int(digits[:-2]), int(digits[-2:])
    return f"{sign}{hours:02d}:{minutes:02d}"
