// Python's datetime.strftime for the formats chat templates pass to strftime_now ("%Y-%m-%d",
// "%B %d, %Y", "%d %b %Y"): English month names (the C locale transformers runs under), zero-padded
// day and month. A template's date is the render option `today` (YYYY-MM-DD), else the current date.
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** `today` (YYYY-MM-DD) as [year, month 1-12, day], or the current local date. */
function dateParts(today: string | undefined): [number, number, number] {
  if (today === undefined) {
    const d = new Date();
    return [d.getFullYear(), d.getMonth() + 1, d.getDate()];
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(today);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12 || Number(m[3]) < 1 || Number(m[3]) > 31) {
    throw new Error(`today must be a date written YYYY-MM-DD, got ${JSON.stringify(today)}`);
  }
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/**
 * strftime(format) of `today` (midnight), or of now: %Y %m %d %B %b %A %a %H %M %S %%, the codes
 * chat templates use; any other code is left as written.
 */
export function strftime(format: string, today?: string): string {
  const [y, mo, d] = dateParts(today);
  const now = new Date();
  const [h, mi, sec] = today === undefined ? [now.getHours(), now.getMinutes(), now.getSeconds()] : [0, 0, 0];
  const weekday = DAYS[new Date(Date.UTC(y, mo - 1, d)).getUTCDay()];
  const pad = (n: number) => String(n).padStart(2, '0');
  return format.replace(/%[YmdBbAaHMS%]/g, (c) => {
    switch (c) {
      case '%Y':
        return String(y).padStart(4, '0');
      case '%m':
        return pad(mo);
      case '%d':
        return pad(d);
      case '%B':
        return MONTHS[mo - 1];
      case '%b':
        return MONTHS[mo - 1].slice(0, 3);
      case '%A':
        return weekday;
      case '%a':
        return weekday.slice(0, 3);
      case '%H':
        return pad(h);
      case '%M':
        return pad(mi);
      case '%S':
        return pad(sec);
      default:
        return '%';
    }
  });
}
