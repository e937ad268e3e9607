import { describe, expect, it } from 'vitest';
import { COMMON_PASSWORDS } from './common-passwords.js';
import { isCommonPassword, passwordProblems } from './password-policy.js';

describe('password policy', () => {
  it('keeps a list of several hundred distinct common passwords, all at least 8 characters', () => {
    expect(COMMON_PASSWORDS.length).toBeGreaterThanOrEqual(300);
    expect(new Set(COMMON_PASSWORDS).size).toBe(COMMON_PASSWORDS.length);
    expect(COMMON_PASSWORDS.every((password) => password.length >= 8)).toBe(true);
  });

  it('refuses common passwords whatever their case', () => {
    expect(isCommonPassword('password1')).toBe(true);
    expect(isCommonPassword('PASSWORD1')).toBe(true);
    expect(passwordProblems('Qwerty123', 'password')).toEqual([
      { path: 'password', message: 'is too common; choose a password that is harder to guess' },
    ]);
  });

  it('accepts an uncommon password and ignores non-strings (the schema reports those)', () => {
    expect(passwordProblems('correct horse battery staple', 'password')).toEqual([]);
    expect(passwordProblems(undefined, 'password')).toEqual([]);
  });
});
