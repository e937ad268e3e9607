import { z } from 'zod';

/**
 * Every string the API takes is built here, so one rule covers bodies, names, logins, search
 * queries, cursors and socket payloads alike (docs/decisions/text-input-rules.md):
 *
 * - no control characters (C0, DEL, C1): U+0000 is the one PostgreSQL `text` cannot store at
 *   all (a single one used to fail a whole message batch), and the others are never meant as
 *   text. Multi-line fields (message bodies, bios) keep tab, line feed and carriage return.
 * - no unpaired UTF-16 surrogates: they have no UTF-8 form, so the driver would silently store
 *   U+FFFD instead of what was acknowledged.
 *
 * Checks run before trimming: trimming would otherwise quietly drop a leading vertical tab or
 * form feed instead of refusing it.
 */
const CONTROL_CHARACTER = /\p{Cc}/u;
const CONTROL_CHARACTER_EXCEPT_LINE_BREAKS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const UNPAIRED_SURROGATE = /\p{Cs}/u;

export interface TextOptions {
  /** Allow tab, line feed and carriage return (message bodies, bios). */
  multiline?: boolean;
}

/**
 * A string that follows the text rules; chain `.trim()`, `.min()`, `.max()` as usual, and
 * `.pipe()` into a format (`z.url()`, `z.email()`) so the rules see the raw input first.
 */
export function text(options: TextOptions = {}): z.ZodString {
  const control = options.multiline ? CONTROL_CHARACTER_EXCEPT_LINE_BREAKS : CONTROL_CHARACTER;
  return z
    .string()
    .refine((value) => !control.test(value), {
      message: options.multiline ? 'must not contain control characters (tab and line breaks are fine)' : 'must not contain control characters',
      abort: true,
    })
    .refine((value) => !UNPAIRED_SURROGATE.test(value), { message: 'must be valid Unicode text (no unpaired surrogates)', abort: true });
}
