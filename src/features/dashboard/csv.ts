/**
 * CSV (RFC 4180): a header row, CRLF line ends, fields quoted when they hold
 * a comma, a quote or a line break (quotes doubled). Text that a spreadsheet
 * would read as a formula (starting with = + - @, a tab or a carriage
 * return; a member or community may be named "=HYPERLINK(…)") is prefixed
 * with a single quote, so it stays text. Numbers are written as they are
 * (a negative net growth stays a number).
 */
export type CsvValue = string | number | null;

function cell(value: CsvValue): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly CsvValue[]>): string {
  return [header, ...rows].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}
