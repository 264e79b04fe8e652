"""Text that people see: what may not reach a screen as it came.

- Invisible characters (zero-width spaces and joiners, the BOM, word joiners) and bidirectional
  controls (embeddings, overrides, isolates, marks) let two names or tags that look identical be
  different, or make a name read backwards (``U+202E``: "evil\u202egpj.exe"). Labels people
  choose or match on (tags, display names, customer names) are NFKC-normalised and lose them.
- Control characters (C0 and C1, apart from tab and line breaks in longer texts) have no place in
  a name or a message and can garble a screen or an export; they are removed.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator

# Zero-width and invisible formatting characters, and every bidirectional control.
_INVISIBLE = "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f" \
             "\u3164\ufeff\uffa0"
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")
_CONTROLS_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LABEL_CONTROLS_RE = re.compile("[\x00-\x1f\x7f-\x9f]")


def clean_label(text: str) -> str:
    """A name or tag as it is stored and compared: NFKC, without invisible or bidirectional
    characters or controls, single spaces, trimmed."""
    normalised = unicodedata.normalize("NFKC", text)
    visible = _LABEL_CONTROLS_RE.sub(" ", _INVISIBLE_RE.sub("", normalised))
    return " ".join(visible.split())


def clean_text(text: str) -> str:
    """A message or note as it is shown: without bidirectional overrides, invisible characters or
    controls (tabs and line breaks stay)."""
    return _CONTROLS_RE.sub("", _INVISIBLE_RE.sub("", text))


def _visible_label(text: str) -> str:
    cleaned = clean_label(text)
    if not cleaned:
        raise ValueError("has no visible characters")
    return cleaned


# Pydantic field types for names people see (a display name, a customer's name) and texts.
Label = Annotated[str, AfterValidator(_visible_label)]
OptionalLabel = Annotated[str, AfterValidator(clean_label)]
Text = Annotated[str, AfterValidator(clean_text)]
