/** Texts of a multi-SMS reply are separated by a line holding only `---`. */
const SEPARATOR = /^\s*-{3,}\s*$/m;

/** Splits rendered prose into SMS texts; drops empty pieces. */
export function splitReplyTexts(prose: string): string[] {
  return prose
    .split(SEPARATOR)
    .map((text) => text.trim())
    .filter((text) => text !== '');
}
