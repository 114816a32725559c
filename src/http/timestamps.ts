// Klaviyo writes every timestamp in UTC with six fractional digits and an explicit offset
// (2026-09-04T13:39:27.218277+00:00). We store ISO strings with milliseconds (2026-09-04T13:39:27.218Z), which
// sort and compare as text in both stores, and pad them to Klaviyo's form when rendering, as Klaviyo itself
// does for items (…45.914000+00:00).

/** A stored ISO timestamp (or null) as Klaviyo renders it. */
export function klaviyoTime(stored: string): string;
export function klaviyoTime(stored: string | null): string | null;
export function klaviyoTime(stored: string | null): string | null {
  if (stored === null) return null;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?Z$/.exec(stored);
  if (!m) return stored;
  return `${m[1]}.${(m[2] ?? '').padEnd(6, '0')}+00:00`;
}
