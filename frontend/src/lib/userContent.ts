// What the API holds (customers' names and messages, tags, notes, quick replies, template texts,
// account, team and colleagues' names) is written in whatever language its author chose; only the
// interface's own words come from the catalogues. Each element that shows such data says so, so
// that the language checks (tests/browser/test_first_run_help_and_dutch.py) read past it however
// other people's data is worded, and still see every word of the interface.

/** Spread on an element whose text (and whatever is inside it) is data from the API. */
export const USER_CONTENT = { 'data-user-content': '' } as const;

/**
 * Spread on an element whose aria-label or title fills data into the interface's words
 * (`Conversation with {name}`): the values it filled in, so a check can take them out of the
 * label and read the rest. Absent values are left out.
 */
export function userValues(...values: Array<string | null | undefined>): { 'data-user-values': string } {
  return { 'data-user-values': JSON.stringify(values.filter((value): value is string => !!value)) };
}
