/**
 * Dates and times as the person reads them: in their browser's language and time zone (both
 * can be given, for tests). "Today", "yesterday" and "5 min ago" come from Intl in that language.
 */
export interface Locality {
  locale?: string | string[] | undefined;
  timeZone?: string | undefined;
}

const DAY_MS = 86_400_000;

function dayNumber(date: Date, locality: Locality): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: locality.timeZone, year: 'numeric', month: 'numeric', day: 'numeric' }).formatToParts(date);
  const part = (type: string) => Number(parts.find((entry) => entry.type === type)?.value);
  return Date.UTC(part('year'), part('month') - 1, part('day')) / DAY_MS;
}

/** Whether two instants fall on the same calendar day where the person is. */
export function sameDay(a: Date, b: Date, locality: Locality = {}): boolean {
  return dayNumber(a, locality) === dayNumber(b, locality);
}

function capitalized(text: string, locale: Locality['locale']): string {
  return text.charAt(0).toLocaleUpperCase(locale) + text.slice(1);
}

/** The separator above a day's first message: "Today", "Yesterday", "Monday, 4 May", or with the year when it is not this one. */
export function dayLabel(date: Date, now: Date, locality: Locality = {}): string {
  const days = dayNumber(date, locality) - dayNumber(now, locality);
  if (days === 0 || days === -1) {
    return capitalized(new Intl.RelativeTimeFormat(locality.locale, { numeric: 'auto' }).format(days, 'day'), locality.locale);
  }
  const sameYear = new Intl.DateTimeFormat('en-US', { timeZone: locality.timeZone, year: 'numeric' });
  return new Intl.DateTimeFormat(locality.locale, {
    timeZone: locality.timeZone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    ...(sameYear.format(date) === sameYear.format(now) ? {} : { year: 'numeric' }),
  }).format(date);
}

/** A message's time of day ("14:05", "2:05 PM"). */
export function timeOfDay(date: Date, locality: Locality = {}): string {
  return new Intl.DateTimeFormat(locality.locale, { timeZone: locality.timeZone, hour: '2-digit', minute: '2-digit' }).format(date);
}

/** The full date and time, shown on hover ("Monday, 4 May 2026 at 14:05:09"). */
export function fullDateTime(date: Date, locality: Locality = {}): string {
  return new Intl.DateTimeFormat(locality.locale, { timeZone: locality.timeZone, dateStyle: 'full', timeStyle: 'medium' }).format(date);
}

/**
 * How long ago, for the room list: "now", "5 min ago", "3 hr ago" today; "yesterday"; the
 * weekday within a week; the date beyond.
 */
export function relativeTime(date: Date, now: Date, locality: Locality = {}): string {
  const seconds = Math.round((now.getTime() - date.getTime()) / 1000);
  const relative = new Intl.RelativeTimeFormat(locality.locale, { numeric: 'auto', style: 'short' });
  const days = dayNumber(now, locality) - dayNumber(date, locality);
  if (days <= 0) {
    if (seconds < 60) return relative.format(0, 'second');
    if (seconds < 3_600) return relative.format(-Math.floor(seconds / 60), 'minute');
    return relative.format(-Math.floor(seconds / 3_600), 'hour');
  }
  if (days === 1) return relative.format(-1, 'day');
  if (days < 7) return new Intl.DateTimeFormat(locality.locale, { timeZone: locality.timeZone, weekday: 'long' }).format(date);
  const sameYear = new Intl.DateTimeFormat('en-US', { timeZone: locality.timeZone, year: 'numeric' });
  return new Intl.DateTimeFormat(locality.locale, {
    timeZone: locality.timeZone,
    day: 'numeric',
    month: 'short',
    ...(sameYear.format(date) === sameYear.format(now) ? {} : { year: 'numeric' }),
  }).format(date);
}
