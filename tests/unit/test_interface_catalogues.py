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
CALL = re.compile(r"""\b(t|tn|tParts)\(\s*['"]([\w.-]+)['"]""")


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


# --- no English written into the code ---------------------------------------------------------

COMMENTS = re.compile(r"/\*.*?\*/|(?<![:'\"`])//[^\n]*", re.DOTALL)
# JSX text: after a tag (<p>, <b class="x">, </kbd>; not a generic such as Promise<void>) up to the
# next tag or expression, or after an expression up to the next tag ({count} waiting<).
AFTER_TAG = re.compile(r"(?:(?<![\w$.])<[A-Za-z][\w.]*(?:[^<>]|(?<==)>)*>|</[\w.]*>)([^<>{}]*)(?=[<{])")
AFTER_EXPRESSION = re.compile(r"}([^<>{}]*)(?=<)")
# Attributes people read: <input placeholder="..." />, <Tile label="..." />
READ_ATTRIBUTE = re.compile(r"""\b(title|placeholder|aria-label|label|alt|summary)="([^"]*)\"""")
# A sentence or a capitalised phrase in a string: 'Last 7 days', "Choose a time span."
SENTENCE = re.compile(r"""(['"`])([A-Z][a-z]+(?: [^'"`\n]*|[.!?…:]))\1""")
# What marks a stretch after an expression as code rather than JSX text.
CODE = re.compile(r"=|\w\(|;\s*\n|^[:)\];,]|\b(const|let|return|function|interface|type|export|satisfies|Promise)\b|"
                  r"\bcase '|[`$]")
# A template string with words in it: `Conversation: ${id}`, `${n} days, at most ${max} a day`
TEMPLATE = re.compile(r"`([^`]*)`")
TEMPLATE_WORDS = re.compile(r"\b[A-Z][a-z]+[ :]|(?<![-\w])[a-z]{2,} [a-z]{2,} [a-z]{2,}\b(?!-)")
WORDS = re.compile(r"[A-Za-z]{2,}")
# Words that read the same in every language the app has: names of things, not English.
NOT_ENGLISH = {"ID", "WhatsApp", "SMS", "Telegram", "Viber", "Messenger", "Instagram", "Ctrl", "Alt", "Shift",
               "Enter", "Esc", "Tab", "PDF", "CSV", "JSON", "OK", "URL", "API", "nl", "en", "pt", "BR", "Q", "Excel",
               "XLSX", "Bearer", "Key",
               # the languages, each named in its own
               "English", "Nederlands", "Deutsch"}


def hard_coded(source: str, *, tsx: bool = True) -> list[str]:
    """What a reader would see in English in this component's code, not from a catalogue."""
    code = COMMENTS.sub("", source)
    found: list[str] = []
    jsx = [text.strip() for text in AFTER_TAG.findall(code) + AFTER_EXPRESSION.findall(code)] if tsx else []
    found += [text for text in jsx if re.search(r"[A-Za-z]{2,}", text) and not CODE.search(text)]
    found += [value for _, value in READ_ATTRIBUTE.findall(code)]
    found += [value for _, value in SENTENCE.findall(code)]
    templates = [re.sub(r"\$\{[^}]*\}", " ", text) for text in TEMPLATE.findall(code)]
    found += [text.strip() for text in templates if TEMPLATE_WORDS.search(text)]
    return sorted({text for text in found if set(WORDS.findall(re.sub(r"\$\{[^}]*\}", "", text))) - NOT_ENGLISH})


def test_the_web_app_writes_no_english_of_its_own():
    """Every word a reader sees comes from the catalogues (t/tn), so Dutch reads Dutch throughout."""
    written = {str(path.relative_to(FRONTEND)): hard_coded(path.read_text(encoding="utf-8"), tsx=path.suffix == ".tsx")
               for path in sorted(FRONTEND.rglob("*.ts*")) if path.name != "api-types.ts"}
    assert {path: texts for path, texts in written.items() if texts} == {}


def test_the_check_finds_english_in_text_attributes_and_strings_but_not_in_code():
    source = """
    const PRESETS = [{ label: 'Last 7 days' }];
    function Page({ rows }: Props): Promise<void> {
      return rows.length ? <p class="muted">{t('ok')}</p> : <p class="muted">Nothing here.</p>;
    }
    <Tile label="New conversations" value={1} /> <h2>{t('x')}</h2> <span>{count} waiting</span>
    """
    assert hard_coded(source) == ["Last 7 days", "New conversations", "Nothing here.", "waiting"]
