"""Customer search's Like operator (CRM.COM's): a '%' anywhere in the term stands for any text,
so '%ria' ends with "ria", '%ari%' contains "ari" and 'M%a%ia' starts with "m", then has "a",
then ends with "ia". Exact ('Maria') and prefix ('Ma%') terms keep their own index
(``customers.parse_search``); this module is the rest, and it is pure.

How it is served without a Scan (docs/data-model.md, "Customer search"): every searchable value of
a profile (its name, each address) is written with its suffixes, "search fragments", into the
sparse ``collection`` index, so "contains x" is the fragments that begin with x and "ends with
x" the fragment that is x. A fragment is at most ``FRAGMENT_LENGTH`` characters; a value gives
the suffixes that start in its first ``LEADING_STARTS`` characters plus its last ``TRAILING``
suffixes, so a profile write adds at most ``MAX_FRAGMENTS_PER_VALUE`` items per value, however
long the value. A term's longest part (or its end) picks one begins_with Query; each fragment read
is then checked against the whole pattern on the full value, within a read budget per page.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Literal

from chalicelib.domain.errors import InvalidInput

from .models import Frozen

# A fragment's length in the index: a longer part is looked up by its first characters and
# checked on the full value.
FRAGMENT_LENGTH = 16
# Suffixes starting in a value's first characters, and its shortest suffixes: "contains" finds a
# part starting in the first LEADING_STARTS characters, "ends with" any ending up to TRAILING long.
LEADING_STARTS = 32
TRAILING = 16
MAX_FRAGMENTS_PER_VALUE = LEADING_STARTS + TRAILING
# The shortest part a Like term is looked up by (one letter would read a sixth of the index).
MIN_PART = 2

_PHONE_PUNCTUATION = re.compile(r"[\s().\-/]")
_SPACES = re.compile(r"\s+")


class LikePattern(Frozen):
    """'%'-separated parts, each normalised as the field's values are; ``open_start`` and
    ``open_end`` say whether the term began or ended with '%'."""

    parts: tuple[str, ...]
    open_start: bool
    open_end: bool

    @property
    def regex(self) -> re.Pattern[str]:
        body = ".*".join(re.escape(part) for part in self.parts)
        return re.compile(f"{'.*' if self.open_start else ''}{body}{'.*' if self.open_end else ''}", re.DOTALL)

    def matches(self, value: str) -> bool:
        return self.regex.fullmatch(value) is not None

    def probe(self) -> Probe:
        """The one index lookup that serves the pattern: its end when it is anchored there (an
        exact fragment is the most selective lookup), else its longest part."""
        longest = max(self.parts, key=len)
        if not self.open_end and len(self.parts[-1]) >= len(longest) - 1 and len(self.parts[-1]) <= TRAILING:
            return Probe(fragment=self.parts[-1], whole=True)
        return Probe(fragment=longest[:FRAGMENT_LENGTH], whole=False)


class Probe(Frozen):
    """Fragments that are ``fragment`` (``whole``) or begin with it."""

    fragment: str
    whole: bool


def _fold_part(text: str) -> str:
    """As ``customers.fold`` but keeping a space at either end ('%de %' is " de " inside a name)."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", plain.casefold())


def like_pattern(field: Literal["name", "phone", "email", "channel_id"], text: str) -> LikePattern:
    """The pattern of a term with a leading or inner '%', or InvalidInput naming what is wrong."""
    raw_parts = text.split("%")
    open_start, open_end = text.startswith("%"), text.endswith("%")
    parts: list[str] = []
    for index, raw in enumerate(raw_parts):
        if field == "phone":
            part = _PHONE_PUNCTUATION.sub("", raw)
            if index == 0 and part.startswith("00"):
                part = "+" + part[2:]
        else:
            part = _fold_part(raw)
            if index == 0:
                part = part.lstrip()
            if index == len(raw_parts) - 1:
                part = part.rstrip()
        if part:
            parts.append(part)
    if not parts:
        raise InvalidInput("the search term is empty", field="q")
    if max(len(part) for part in parts) < MIN_PART:
        raise InvalidInput(f"a Like search needs at least {MIN_PART} characters between its '%' signs", field="q")
    return LikePattern(parts=tuple(parts), open_start=open_start, open_end=open_end)


def fragments(value: str) -> dict[str, str]:
    """The search fragments of a normalised value, by a key unique within the value (the start):
    at most MAX_FRAGMENTS_PER_VALUE, each at most FRAGMENT_LENGTH characters."""
    starts = sorted(set(range(min(len(value), LEADING_STARTS))) | set(range(max(0, len(value) - TRAILING),
                                                                              len(value))))
    return {f"{start:03d}": value[start:start + FRAGMENT_LENGTH] for start in starts}


def value_key(value: str) -> str:
    """A short stable name of a value, keeping two values of one field apart in the profile's items."""
    return hashlib.sha256(value.encode()).hexdigest()[:10]
