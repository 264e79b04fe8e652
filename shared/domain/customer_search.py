"""Customer search's Like operator (CRM.COM's): a '%' anywhere in the term stands for any text,
so '%ria' ends with "ria", '%ari%' contains "ari" and 'M%a%ia' starts with "m", then has "a",
then ends with "ia". Exact ('Maria') and prefix ('Ma%') terms keep their own index
(``customers.parse_search``); this module is the rest, and it is pure.

How it is served without a Scan (docs/data-model.md, "Customer search"): every searchable value of
a profile (its name, each address) is written with its suffixes that start at an even position,
"search fragments" (table items keyed by the fragment), so a part x that starts at an even
position is among the fragments that begin with x, and one that starts at an odd position among
those that begin with x less its first character (the suffix one further on). "Ends with x" is
likewise the fragment that is x, or x less its first character. Every other suffix only: half the
items a profile write costs, for two lookups per search instead of one (``LikePattern.probes``).
A fragment is at most ``FRAGMENT_LENGTH`` characters; a value gives the suffixes that start in its
first ``LEADING_STARTS`` characters plus those among its last ``TRAILING``, so a profile write adds
at most ``MAX_FRAGMENTS_PER_VALUE`` items per value, however long the value. Each fragment read is
checked against the whole pattern on the full value, within a read budget per page.

``FragmentLayout.EVERY_START`` is the layout written before (every suffix): a profile records the
layout of its fragments, so a change removes exactly those, whichever it was.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from enum import IntEnum
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
MAX_FRAGMENTS_PER_VALUE = (LEADING_STARTS + TRAILING) // 2 + 1
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

    def probes(self) -> tuple[Probe, Probe]:
        """The two lookups that serve the pattern: its end when it is anchored there (an exact
        fragment is the most selective lookup), else its longest part; as it is (found where it
        starts at an even position) and less its first character (found one further on, where
        it starts at an odd one)."""
        longest = max(self.parts, key=len)
        end = self.parts[-1]
        if not self.open_end and 2 <= len(end) <= TRAILING and len(end) >= len(longest) - 1:
            return Probe(fragment=end, whole=True), Probe(fragment=end[1:], whole=True)
        part = longest[:FRAGMENT_LENGTH]
        return Probe(fragment=part, whole=False), Probe(fragment=part[1:], whole=False)


class Probe(Frozen):
    """Fragments that are ``fragment`` (``whole``) or begin with it."""

    fragment: str
    whole: bool

    def finds(self, fragment: str) -> bool:
        return fragment == self.fragment if self.whole else fragment.startswith(self.fragment)


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


class FragmentLayout(IntEnum):
    """Which suffixes of a value are its fragments (a profile records the layout it wrote)."""

    EVERY_START = 1  # before issue 19.2
    EVEN_STARTS = 2


CURRENT_LAYOUT = FragmentLayout.EVEN_STARTS


def fragments(value: str, layout: FragmentLayout = CURRENT_LAYOUT) -> dict[str, str]:
    """The search fragments of a normalised value, by a key unique within the value (the start):
    at most MAX_FRAGMENTS_PER_VALUE, each at most FRAGMENT_LENGTH characters."""
    step = 2 if layout is FragmentLayout.EVEN_STARTS else 1
    starts = set(range(0, min(len(value), LEADING_STARTS + 1), step))
    starts |= {start for start in range(max(0, len(value) - TRAILING), len(value)) if start % step == 0}
    return {f"{start:03d}": value[start:start + FRAGMENT_LENGTH] for start in sorted(starts)}


def found_first(value: str, probes: tuple[Probe, Probe]) -> bool:
    """Whether the first lookup finds the value (so the second one, which may meet it again,
    leaves it out): one of its fragments is found by the first probe."""
    return any(probes[0].finds(fragment) for fragment in fragments(value).values())


def value_key(value: str) -> str:
    """A short stable name of a value, keeping two values of one field apart in the profile's items."""
    return hashlib.sha256(value.encode()).hexdigest()[:10]
