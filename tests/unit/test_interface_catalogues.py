"""The web app's text catalogues (frontend/src/i18n/<language>.json): every English key is
written in Dutch with the same named values, nothing is left empty, and every key the code asks
for with t()/tn() exists."""

import json
import re
from pathlib import Path

import pytest

FRONTEND = Path(__file__).resolve().parents[2] / "frontend" / "src"
CATALOGUES = FRONTEND / "i18n"
PLACEHOLDER = re.compile(r"\{(\w+)\}")
# t('key') / tn('stem', ...) with a literal key; keys built at run time are typed by MessageKey instead
CALL = re.compile(r"""\b(t|tn)\(\s*['"]([\w.-]+)['"]""")


def catalogue(language: str) -> dict[str, str]:
    loaded = json.loads((CATALOGUES / f"{language}.json").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def translations() -> list[str]:
    return sorted(path.stem for path in CATALOGUES.glob("*.json") if path.stem != "en")


def test_there_is_a_dutch_catalogue():
    assert "nl" in translations()


@pytest.mark.parametrize("language", translations())
def test_every_english_key_is_translated(language: str):
    english, other = catalogue("en"), catalogue(language)
    assert sorted(set(english) - set(other)) == [], f"missing in {language}.json"
    assert sorted(set(other) - set(english)) == [], f"in {language}.json but no longer in en.json"


@pytest.mark.parametrize("language", ["en", *translations()])
def test_no_text_is_empty(language: str):
    assert [key for key, text in catalogue(language).items() if not text.strip()] == []


@pytest.mark.parametrize("language", translations())
def test_a_translation_takes_the_same_named_values(language: str):
    english, other = catalogue("en"), catalogue(language)
    differing = {key: (sorted(set(PLACEHOLDER.findall(text))), sorted(set(PLACEHOLDER.findall(other[key]))))
                 for key, text in english.items()
                 if key in other and set(PLACEHOLDER.findall(text)) != set(PLACEHOLDER.findall(other[key]))}
    assert differing == {}


def test_counted_text_has_the_other_form():
    english = catalogue("en")
    stems = {key.rsplit(".", 1)[0] for key in english if key.endswith((".one", ".two", ".few", ".many", ".zero"))}
    assert sorted(stem for stem in stems if f"{stem}.other" not in english) == []


def test_every_key_the_code_asks_for_exists():
    english = catalogue("en")
    asked: set[str] = set()
    for source in FRONTEND.rglob("*.ts*"):
        for function, key in CALL.findall(source.read_text(encoding="utf-8")):
            asked.add(f"{key}.other" if function == "tn" else key)
    assert asked, "no t() calls found: the pattern no longer matches the code"
    assert sorted(asked - set(english)) == []
