/**
 * When the LRS is expected to answer, and how long to wait when it does not: the service hours
 * (a stage setting) and the waits after a maintenance answer or a transient failure. Pure: no XML,
 * no transport.
 */

/** Day names as service hours write them, 0 = Sunday. */
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/**
 * When the LRS answers requests. The live hours are not published in any source we have; the
 * default is an assumption (every day 06:00-24:00 UK time) and is configurable per client
 * (`createLrsClient({ serviceHours })`). Used only to compute Retry-After for WSEC0004.
 */
export interface ServiceHours {
  /** IANA time zone of the hours below. */
  readonly timeZone: string;
  /** Opening time, HH:MM (24h). */
  readonly open: string;
  /** Closing time, HH:MM; '24:00' means midnight. */
  readonly close: string;
  /** Days the service opens, 0 = Sunday … 6 = Saturday. */
  readonly days: readonly number[];
}

export const DEFAULT_SERVICE_HOURS: ServiceHours = {
  timeZone: 'Europe/London',
  open: '06:00',
  close: '24:00',
  days: [0, 1, 2, 3, 4, 5, 6],
};

/**
 * Reads service hours from text such as `Mon-Sat 07:00-22:00 Europe/London` (days as a range or a
 * comma list, `Mon-Sun` or `*` for every day; close may be `24:00`). Intended for an environment
 * variable; throws an Error naming the part that is wrong.
 */
export const parseServiceHours = (text: string): ServiceHours => {
  const m =
    /^\s*(\*|[A-Za-z]{3}(?:-[A-Za-z]{3})?(?:,[A-Za-z]{3}(?:-[A-Za-z]{3})?)*)\s+([0-2][0-9]:[0-5][0-9])-([0-2][0-9]:[0-5][0-9])\s+(\S+)\s*$/.exec(
      text,
    );
  if (!m) throw new Error('service hours must look like "Mon-Sat 07:00-22:00 Europe/London"');
  const [, dayPart = '', open = '', close = '', timeZone = ''] = m;
  const dayIndex = (d: string): number => {
    const i = WEEKDAYS.findIndex((n) => n.toLowerCase() === d.toLowerCase());
    if (i < 0) throw new Error(`service hours: unknown day "${d}"`);
    return i;
  };
  const days = new Set<number>();
  if (dayPart === '*') for (let i = 0; i < 7; i++) days.add(i);
  else
    for (const part of dayPart.split(',')) {
      const [from = '', to] = part.split('-');
      const a = dayIndex(from);
      const b = to === undefined ? a : dayIndex(to);
      for (let i = a; ; i = (i + 1) % 7) {
        days.add(i);
        if (i === b) break;
      }
    }
  if (minutes(open) >= minutes(close) || minutes(close) > 24 * 60)
    throw new Error('service hours: open must be before close');
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone });
  } catch {
    throw new Error('service hours: unknown time zone');
  }
  return { timeZone, open, close, days: [...days].sort() };
};

/** Seconds to wait after a maintenance answer. */
export const MAINTENANCE_RETRY_SECONDS = 300;
/** Seconds to wait after a timeout, reset or 5xx without fault. */
export const TRANSIENT_RETRY_SECONDS = 30;

const minutes = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** Local weekday and minute-of-day in a time zone. */
const localClock = (now: Date, timeZone: string): { day: number; minute: number; second: number } => {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(now);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '0';
  return {
    day: WEEKDAYS.indexOf(get('weekday')),
    minute: Number(get('hour')) * 60 + Number(get('minute')),
    second: Number(get('second')),
  };
};

/**
 * Seconds until the service is next expected to be open (at least 60, at most 7 days). If the clock
 * says it is open now (the LRS disagrees), retry in 15 minutes.
 */
export const secondsUntilOpen = (now: Date, hours: ServiceHours = DEFAULT_SERVICE_HOURS): number => {
  const { day, minute, second } = localClock(now, hours.timeZone);
  const open = minutes(hours.open);
  const close = minutes(hours.close);
  const openToday = hours.days.includes(day);
  if (openToday && minute >= open && minute < close) return 15 * 60;
  for (let d = 0; d <= 7; d++) {
    const wd = (day + d) % 7;
    if (!hours.days.includes(wd)) continue;
    if (d === 0 && minute >= open) continue;
    const waitMinutes = d * 24 * 60 + open - minute;
    return Math.max(60, waitMinutes * 60 - second);
  }
  return 24 * 3600;
};
