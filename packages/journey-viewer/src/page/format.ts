/**
 * Small formatting helpers shared by the page's views.
 * @module
 */

/** Text made safe to put in HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** A duration: `850 µs`, `12.3 ms`, `4.20 s`, `2 min 5 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Wall-clock time of day with `decimals` digits of seconds: `14:03:27.512`, `14:03:27.5`, `14:03:27`. */
export function formatClock(ms: number, decimals = 3): string {
  const d = new Date(ms);
  const hms = [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
  const fraction = String(d.getMilliseconds()).padStart(3, '0').slice(0, decimals);
  return decimals > 0 ? `${hms}.${fraction}` : hms;
}

/** The distinctive end of a request id (`chatcmpl-9f1c…` → `…a41c9f1c`). */
export function shortId(id: string): string {
  const dash = id.indexOf('-');
  const tail = dash >= 0 ? id.slice(dash + 1) : id;
  return tail.length > 10 ? `…${tail.slice(-8)}` : id;
}

/** A CSS custom property of the page (`--decode`), for the charts' colours. */
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/** A tick spacing of 1, 2 or 5 × 10^k ms that gives about `count` ticks over `spanMs`. */
export function tickStep(spanMs: number, count: number): number {
  const raw = spanMs / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const factor of [1, 2, 5, 10]) if (power * factor >= raw) return power * factor;
  return power * 10;
}
