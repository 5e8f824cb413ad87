// RFC 9110 §5.6.7 HTTP-date: IMF-fixdate, plus the obsolete RFC 850 and asctime forms a
// recipient MUST accept. Case-sensitive, as the grammar is; the weekday name must be a real
// weekday name but is not checked against the date (as Go's and Python's parsers do).
const SHORT_DAYS = '(Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAYS = '(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const MONTH = `(${MONTHS.join('|')})`;
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';

// Sun, 06 Nov 1994 08:49:37 GMT
const IMF_FIXDATE = new RegExp(`^${SHORT_DAYS}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
// Sunday, 06-Nov-94 08:49:37 GMT
const RFC_850 = new RegExp(`^${LONG_DAYS}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
// Sun Nov  6 08:49:37 1994
const ASCTIME = new RegExp(`^${SHORT_DAYS} ${MONTH} ( \\d|\\d{2}) ${TIME} (\\d{4})$`);

const DAY_MS = 86_400_000;

interface Fields {
  year: number;
  month: number; // 1..12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function toEpochMs(f: Fields): number | undefined {
  // second = 60 is a leap second (RFC 5322 allows it); it lands on the next minute's :00.
  if (f.day < 1 || f.day > daysInMonth(f.year, f.month)) return undefined;
  if (f.hour > 23 || f.minute > 59 || f.second > 60) return undefined;
  return daysFromCivil(f.year, f.month, f.day) * DAY_MS + ((f.hour * 60 + f.minute) * 60 + f.second) * 1_000;
}

function monthNumber(name: string): number {
  return MONTHS.indexOf(name as (typeof MONTHS)[number]) + 1;
}

/**
 * RFC 9110 §5.6.7: a two-digit year that appears to be more than 50 years in the future is the
 * most recent past year with the same last two digits. Equivalently, the year is the one with
 * those digits in the window (now − 50 years, now + 50 years], compared field by field so a
 * 29 February needs no special case.
 */
function fullYear(twoDigits: number, f: Omit<Fields, 'year'>, now: number): number {
  const today = new Date(now);
  const limit = [
    today.getUTCFullYear() + 50,
    today.getUTCMonth() + 1,
    today.getUTCDate(),
    today.getUTCHours(),
    today.getUTCMinutes(),
    today.getUTCSeconds(),
  ];
  const after = (year: number): boolean => {
    const candidate = [year, f.month, f.day, f.hour, f.minute, f.second];
    for (let i = 0; i < candidate.length; i++) {
      if (candidate[i] !== limit[i]) return (candidate[i] as number) > (limit[i] as number);
    }
    return false;
  };
  let year = Math.floor(today.getUTCFullYear() / 100) * 100 + twoDigits;
  if (after(year)) year -= 100;
  else if (!after(year + 100)) year += 100;
  return year;
}

/**
 * Parses an HTTP-date (RFC 9110 §5.6.7) into epoch milliseconds: the IMF-fixdate
 * (`Sun, 06 Nov 1994 08:49:37 GMT`) and the two obsolete forms every recipient must accept,
 * RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`, two-digit year resolved against `now`: more than
 * 50 years in the future means the previous century) and asctime (`Sun Nov  6 08:49:37 1994`).
 * Strict: exact grammar, case-sensitive names, real calendar dates; anything else is
 * `undefined`. Never throws on any string.
 *
 * @param value - The date text, without surrounding whitespace.
 * @param now - Epoch ms the two-digit RFC 850 year is resolved against (from an injected clock).
 * @returns Epoch milliseconds, or `undefined` when `value` is not an HTTP-date.
 * @throws {TypeError} when `now` is not a finite number.
 * @example
 * ```ts
 * import { parseHttpDate } from '@bulwark/core';
 *
 * parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT', Date.now()); // 784111777000
 * ```
 */
export function parseHttpDate(value: string, now: number): number | undefined {
  if (typeof now !== 'number' || !Number.isFinite(now)) {
    throw new TypeError(`Expected \`now\` to be a finite number of epoch ms, got ${String(now)}`);
  }
  if (typeof value !== 'string' || value.length > 40) return undefined;
  const imf = IMF_FIXDATE.exec(value);
  if (imf) return fromParts(imf[4], imf[3], imf[2], imf[5], imf[6], imf[7]);
  const asc = ASCTIME.exec(value);
  if (asc) return fromParts(asc[7], asc[2], asc[3], asc[4], asc[5], asc[6]);
  const rfc850 = RFC_850.exec(value);
  if (!rfc850) return undefined;
  const fields = {
    month: monthNumber(rfc850[3] as string),
    day: Number(rfc850[2]),
    hour: Number(rfc850[5]),
    minute: Number(rfc850[6]),
    second: Number(rfc850[7]),
  };
  return toEpochMs({ ...fields, year: fullYear(Number(rfc850[4]), fields, now) });
}

function fromParts(
  year: string | undefined,
  month: string | undefined,
  day: string | undefined,
  hour: string | undefined,
  minute: string | undefined,
  second: string | undefined,
): number | undefined {
  return toEpochMs({
    year: Number(year),
    month: monthNumber(month as string),
    day: Number((day as string).trim()),
    hour: Number(hour),
    minute: Number(minute),
    second: Number(second),
  });
}
