"""A light language guess for pages that do not declare one: scripts, then stop words."""

from __future__ import annotations

import re
from collections import Counter

_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset("the and of to in is that for it with was on as are be this by have from at not".split()),
    "id": frozenset("yang dan di ini itu dengan untuk dari dalam tidak akan pada juga ke ada oleh karena".split()),
    "de": frozenset("der die und das ist nicht mit den ein eine auch sich auf für von dem zu im des".split()),
    "fr": frozenset("le la les et des est une pour que qui dans pas sur au du avec ce il sont".split()),
    "es": frozenset("el la los las y de que en un una por con para es del se no al lo como".split()),
    "pt": frozenset("o a os as e de que em um uma para com não do da dos das se por mais".split()),
    "it": frozenset("il la di che e un una per non sono del della con gli le si è anche nel".split()),
    "nl": frozenset("de het een en van is dat in op te niet met voor zijn er ook aan om".split()),
}
_WORD = re.compile(r"[^\W\d_]+")
_SCRIPTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ja", re.compile("[\u3040-\u30ff]")),
    ("ko", re.compile("[\uac00-\ud7af]")),
    ("zh", re.compile("[\u4e00-\u9fff]")),
    ("ru", re.compile("[\u0400-\u04ff]")),
    ("ar", re.compile("[\u0600-\u06ff]")),
    ("he", re.compile("[\u0590-\u05ff]")),
    ("el", re.compile("[\u0370-\u03ff]")),
    ("th", re.compile("[\u0e00-\u0e7f]")),
    ("hi", re.compile("[\u0900-\u097f]")),
)


def detect_language(text: str) -> str | None:
    """Return an ISO 639-1 code, or None when the sample is too small or unclear."""
    sample = text[:5000]
    if len(sample) < 40:
        return None
    letters = sum(1 for ch in sample if ch.isalpha())
    for code, pattern in _SCRIPTS:
        if letters and len(pattern.findall(sample)) > letters * 0.3:
            return code
    words = Counter(word.lower() for word in _WORD.findall(sample))
    if sum(words.values()) < 8:
        return None
    scores = {code: sum(words[w] for w in stops) for code, stops in _STOPWORDS.items()}
    best = max(scores, key=lambda code: scores[code])
    ranked = sorted(scores.values(), reverse=True)
    if ranked[0] < 3 or ranked[0] < ranked[1] * 1.2:
        return None
    return best
