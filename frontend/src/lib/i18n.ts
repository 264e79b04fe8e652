// The interface's words: one catalogue per language (src/i18n/<language>.json, a flat map of key
// to text), the language the profile's (GET /me/profile), else the browser's, else English.
// A key missing from a catalogue falls back to the English text; a unit test keeps the
// catalogues complete (tests/unit/test_interface_catalogues.py). Text takes named values as
// `{name}`; counted text has one key per plural category (`.one`, `.other`), chosen by the
// language's plural rules.

import en from '../i18n/en.json';
import { displayLocale, formatNumber } from './locale';

export type MessageKey = keyof typeof en;
/** The stem of a counted text: `inbox.waiting` for the keys `inbox.waiting.one` and `inbox.waiting.other`. */
export type CountedKey = { [K in MessageKey]: K extends `${infer Stem}.other` ? Stem : never }[MessageKey];
export type Values = Record<string, string | number>;

type Catalogue = Partial<Record<MessageKey, string>>;

// English is in the app's first file; every other language is a file of its own, read when the
// profile (or, before sign-in, the browser) asks for it: loadCatalogue() before the words show.
const CATALOGUES: Record<string, Catalogue> = { en };
const LOADERS: Record<string, () => Promise<{ default: Catalogue }>> = {
  nl: () => import('../i18n/nl.json'),
};

const known = (tag: string | undefined): boolean => !!tag && (tag in CATALOGUES || tag in LOADERS);

/** Reads the catalogue of this language tag (`nl`, `nl-BE`) if there is one and it is not read yet. */
export async function loadCatalogue(tag: string | null | undefined): Promise<void> {
  const wanted = primary(tag ?? undefined);
  const load = wanted && !(wanted in CATALOGUES) ? LOADERS[wanted] : undefined;
  if (!wanted || !load) return;
  try {
    CATALOGUES[wanted] = (await load()).default;
  } catch {
    // not reachable now: the words stay English until the next load
  }
}

/** The language the browser prefers among those with a catalogue (before a profile is read). */
export function browserLanguage(): string | undefined {
  if (typeof navigator === 'undefined') return undefined;
  return navigator.languages.map(primary).find(known);
}

let chosenFor: string | undefined | null = null;
let language = 'en';

function primary(tag: string | undefined): string | undefined {
  return tag?.toLowerCase().split(/[-_]/)[0];
}

/** The catalogue's language (`en`, `nl`): the profile's, else the browser's, when there is one. */
export function interfaceLanguage(): string {
  const locale = displayLocale();
  if (locale !== chosenFor) {
    chosenFor = locale;
    const wanted = [primary(locale), ...(typeof navigator === 'undefined' ? [] : navigator.languages.map(primary))];
    language = (locale ? primary(locale) : wanted.find(known)) ?? 'en';
    if (!known(language)) language = 'en';
    if (typeof document !== 'undefined') document.documentElement.lang = language;
  }
  return language;
}

/** A piece of a filled text: the interface's own words, or a value put into them. */
export type Part = { words: string } | { value: string };

function pieces(text: string, values: Values | undefined): Part[] {
  if (!values) return [{ words: text }];
  const parts: Part[] = [];
  let from = 0;
  for (const match of text.matchAll(/\{(\w+)\}/g)) {
    const value = values[match[1] ?? ''];
    if (value === undefined) continue;
    if (match.index > from) parts.push({ words: text.slice(from, match.index) });
    parts.push({ value: typeof value === 'number' ? formatNumber(value) : value });
    from = match.index + match[0].length;
  }
  if (from < text.length) parts.push({ words: text.slice(from) });
  return parts;
}

function fill(text: string, values: Values | undefined): string {
  return pieces(text, values)
    .map((part) => ('words' in part ? part.words : part.value))
    .join('');
}

/** The text of `key` in the interface language, with `{name}` filled from `values` (numbers localised). */
export function t(key: MessageKey, values?: Values): string {
  const text = CATALOGUES[interfaceLanguage()]?.[key] ?? en[key];
  return fill(text, values);
}

/**
 * `t()` in pieces, the catalogue's words apart from the values filled in (names, tags, ...), so a
 * view can mark the values as data (see `Worded`).
 */
export function tParts(key: MessageKey, values?: Values): Part[] {
  return pieces(CATALOGUES[interfaceLanguage()]?.[key] ?? en[key], values);
}

const pluralRules = new Map<string, Intl.PluralRules>();

/** Counted text: the plural form `count` takes in the interface language; `{count}` is the number. */
export function tn(stem: CountedKey, count: number, values?: Values): string {
  const lang = interfaceLanguage();
  let rules = pluralRules.get(lang);
  if (!rules) {
    rules = new Intl.PluralRules(lang);
    pluralRules.set(lang, rules);
  }
  const form = `${stem}.${rules.select(count)}`;
  const key = (form in en ? form : `${stem}.other`) as MessageKey;
  return t(key, { count, ...values });
}
