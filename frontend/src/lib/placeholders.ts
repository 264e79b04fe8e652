// Placeholders in quick replies ({{customer}}, {{agent_first}}, ...). The API fills them for
// a conversation; what it could not fill stays in the text as {{name}}, is marked red and
// blocks Send until the agent replaces it (the API refuses such text too).

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** The placeholders still in the text, each once, in order. */
export function unresolvedPlaceholders(text: string): string[] {
  return [...new Set(Array.from(text.matchAll(PLACEHOLDER), (match) => match[1] ?? ''))];
}

/**
 * The values the API put in for the placeholders of `raw` to make `rendered`: the literal
 * parts between placeholders are found in order, the values are what lies between them.
 * Values that cannot be told apart (two placeholders side by side) are left out.
 */
export function filledValues(raw: string, rendered: string): string[] {
  const literals = raw.split(/\{\{\s*[A-Za-z_][A-Za-z0-9_]*\s*\}\}/);
  if (literals.length < 2) return [];
  const values: string[] = [];
  const first = literals[0] ?? '';
  if (!rendered.startsWith(first)) return [];
  let position = first.length;
  for (let index = 1; index < literals.length; index += 1) {
    const literal = literals[index] ?? '';
    const last = index === literals.length - 1;
    const end = last ? rendered.length - literal.length : literal ? rendered.indexOf(literal, position) : -1;
    if (end < position) return values;
    const value = rendered.slice(position, end);
    if (value && !PLACEHOLDER.test(value)) values.push(value);
    PLACEHOLDER.lastIndex = 0;
    position = end + literal.length;
  }
  return [...new Set(values)];
}

export interface Segment {
  text: string;
  kind: 'plain' | 'missing' | 'filled';
}

/** The text cut into plain parts, unresolved placeholders and filled values (for highlighting). */
export function highlightSegments(text: string, filled: readonly string[]): Segment[] {
  const marks: { start: number; end: number; kind: Segment['kind'] }[] = [];
  for (const match of text.matchAll(PLACEHOLDER)) {
    const start = match.index ?? 0;
    marks.push({ start, end: start + match[0].length, kind: 'missing' });
  }
  for (const value of filled) {
    let from = 0;
    for (;;) {
      const start = text.indexOf(value, from);
      if (start < 0) break;
      const end = start + value.length;
      if (!marks.some((mark) => start < mark.end && end > mark.start)) marks.push({ start, end, kind: 'filled' });
      from = end;
    }
  }
  marks.sort((a, b) => a.start - b.start);
  const segments: Segment[] = [];
  let position = 0;
  for (const mark of marks) {
    if (mark.start > position) segments.push({ text: text.slice(position, mark.start), kind: 'plain' });
    segments.push({ text: text.slice(mark.start, mark.end), kind: mark.kind });
    position = mark.end;
  }
  if (position < text.length) segments.push({ text: text.slice(position), kind: 'plain' });
  return segments;
}
