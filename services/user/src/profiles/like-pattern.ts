/** Escapes LIKE's wildcards (and its escape character, backslash) so user text matches literally. */
export function escapeLikePattern(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/** `text%`: rows starting with the text. */
export function prefixPattern(text: string): string {
  return `${escapeLikePattern(text)}%`;
}

/** `%text%`: rows containing the text. */
export function containsPattern(text: string): string {
  return `%${escapeLikePattern(text)}%`;
}
