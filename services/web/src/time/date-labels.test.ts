import { describe, expect, it } from 'vitest';
import { dayLabel, fullDateTime, relativeTime, sameDay, timeOfDay } from './date-labels';

const now = new Date('2026-05-06T10:30:00Z'); // a Wednesday

describe('dates in the person’s language and time zone', () => {
  it('names today and yesterday, then the weekday and date, adding the year only for other years', () => {
    const english = { locale: 'en-GB', timeZone: 'UTC' };
    expect(dayLabel(new Date('2026-05-06T08:00:00Z'), now, english)).toBe('Today');
    expect(dayLabel(new Date('2026-05-05T23:59:00Z'), now, english)).toBe('Yesterday');
    // (ICU versions differ in commas and spaces; the words are what matters.)
    expect(dayLabel(new Date('2026-05-01T12:00:00Z'), now, english)).toMatch(/^Friday,? 1 May$/);
    expect(dayLabel(new Date('2025-12-24T12:00:00Z'), now, english)).toMatch(/^Wednesday,? 24 December 2025$/);
    expect(dayLabel(new Date('2026-05-06T08:00:00Z'), now, { locale: 'de-DE', timeZone: 'UTC' })).toBe('Heute');
    expect(dayLabel(new Date('2026-05-05T08:00:00Z'), now, { locale: 'ar-EG', timeZone: 'UTC' })).toBe('أمس');
  });

  it('decides what "today" is in the person’s time zone, not the server’s', () => {
    const lateEvening = new Date('2026-05-05T23:30:00Z');
    expect(sameDay(lateEvening, now, { timeZone: 'UTC' })).toBe(false);
    // In Tokyo both are on 6 May.
    expect(sameDay(lateEvening, now, { timeZone: 'Asia/Tokyo' })).toBe(true);
    expect(dayLabel(lateEvening, now, { locale: 'en-GB', timeZone: 'Asia/Tokyo' })).toBe('Today');
    expect(dayLabel(lateEvening, now, { locale: 'en-GB', timeZone: 'America/New_York' })).toBe('Yesterday');
    expect(timeOfDay(lateEvening, { locale: 'en-GB', timeZone: 'Asia/Tokyo' })).toBe('08:30');
    expect(timeOfDay(lateEvening, { locale: 'en-US', timeZone: 'America/New_York' })).toBe('07:30 PM');
  });

  it('gives the full date and time for a tooltip', () => {
    expect(fullDateTime(new Date('2026-05-04T14:05:09Z'), { locale: 'en-GB', timeZone: 'UTC' })).toMatch(/^Monday,? 4 May 2026,? at 14:05:09$/);
  });

  it('says how long ago for the room list', () => {
    const english = { locale: 'en', timeZone: 'UTC' };
    expect(relativeTime(new Date('2026-05-06T10:29:40Z'), now, english)).toBe('now');
    expect(relativeTime(new Date('2026-05-06T10:25:00Z'), now, english)).toBe('5 min. ago');
    expect(relativeTime(new Date('2026-05-06T07:00:00Z'), now, english)).toBe('3 hr. ago');
    expect(relativeTime(new Date('2026-05-05T07:00:00Z'), now, english)).toBe('yesterday');
    expect(relativeTime(new Date('2026-05-02T07:00:00Z'), now, english)).toBe('Saturday');
    expect(relativeTime(new Date('2026-04-02T07:00:00Z'), now, english)).toBe('Apr 2');
    expect(relativeTime(new Date('2026-05-06T10:25:00Z'), now, { locale: 'fr', timeZone: 'UTC' })).toMatch(/^il y a 5\s+min/u);
  });
});
