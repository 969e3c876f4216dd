/**
 * The request timeline: one row per journey, newest on top, its phases drawn
 * as coloured segments on a time axis shared with the step charts, with
 * markers for prefill chunks, the first token and the end. Rows carry their
 * id, status and phases as data attributes (for tests and styling).
 * @module
 */
import { layoutJourney, type JourneyLayout, type Marker, type Segment } from '../shared/journey-layout.js';
import type { Journey } from '../shared/journey-types.js';
import { escapeHtml, formatClock, formatDuration, shortId, tickStep } from './format.js';
import type { JourneyStore } from './journey-store.js';

/** The time range every view draws. */
export interface TimeWindow {
  readonly startMs: number;
  readonly endMs: number;
}

/** The elements the timeline draws into. */
export interface TimelineElements {
  readonly rows: HTMLElement;
  readonly axis: HTMLElement;
  readonly empty: HTMLElement;
}

const ROW_HEIGHT = 20;
const LANE_EXTRA = 8;

/** Draws the rows and the axis; tells `onSelect` which row was clicked. */
export class Timeline {
  readonly #els: TimelineElements;
  readonly #rows = new Map<string, HTMLElement>();
  #order = '';

  constructor(els: TimelineElements, onSelect: (id: string) => void) {
    this.#els = els;
    els.rows.addEventListener('click', (event) => {
      const row = (event.target as HTMLElement).closest<HTMLElement>('.row');
      if (row?.dataset.id !== undefined) onSelect(row.dataset.id);
    });
  }

  /** Redraws every row within `window`, as of the store's now; `selected` is highlighted. */
  render(store: JourneyStore, window: TimeWindow, selected: string | undefined): void {
    const nowMs = store.nowMs();
    const visible: HTMLElement[] = [];
    const journeys = [...store.journeys.values()].reverse();
    for (const journey of journeys) {
      const layout = layoutJourney(journey, nowMs);
      if (layout.endMs < window.startMs) continue;
      const row = this.#row(journey.id);
      fillRow(row, journey, layout, window);
      row.classList.toggle('selected', journey.id === selected);
      visible.push(row);
    }
    for (const id of this.#rows.keys()) if (!store.journeys.has(id)) this.#rows.delete(id);
    const order = visible.map((row) => row.dataset.id).join(' ');
    if (order !== this.#order) {
      this.#els.rows.replaceChildren(...visible);
      this.#order = order;
    }
    this.#els.empty.hidden = visible.length > 0;
    this.#els.axis.innerHTML = axisTicks(window);
  }

  #row(id: string): HTMLElement {
    let row = this.#rows.get(id);
    if (row === undefined) {
      row = document.createElement('div');
      row.className = 'row';
      row.dataset.id = id;
      row.innerHTML = '<div class="label"></div><div class="track"></div>';
      this.#rows.set(id, row);
    }
    return row;
  }
}

function fillRow(row: HTMLElement, journey: Journey, layout: JourneyLayout, window: TimeWindow): void {
  row.dataset.status = layout.status;
  row.dataset.phases = [...new Set(layout.segments.map((s) => s.phase))].join(' ');
  row.style.height = `${ROW_HEIGHT + (layout.lanes - 1) * LANE_EXTRA}px`;
  const preempted = layout.preemptions > 0 ? ` · ⟲${layout.preemptions}` : '';
  const choices = layout.lanes > 1 ? ` · n=${layout.lanes}` : '';
  const label = row.firstElementChild as HTMLElement;
  const title = `${journey.id}\n${layout.status}${layout.reason ? `: ${layout.reason}` : ''}`;
  label.innerHTML =
    `<span class="status status-${layout.status}">${layout.status}</span>` +
    `<span class="id">${escapeHtml(shortId(journey.id))}</span>` +
    `<span class="tokens">${layout.promptTokens}→${layout.outputTokens}${preempted}${choices}</span>`;
  label.title = title;
  const track = row.lastElementChild as HTMLElement;
  const span = Math.max(1, window.endMs - window.startMs);
  const x = (t: number) => ((t - window.startMs) / span) * 100;
  track.innerHTML =
    layout.segments.map((s) => segmentHtml(s, layout.lanes, x)).join('') +
    layout.markers.map((m) => markerHtml(m, layout.lanes, x)).join('');
}

function laneStyle(lane: number, lanes: number): string {
  if (lane < 0 || lanes === 1) return '';
  return `top:calc(${(lane / lanes) * 100}% + 2px);bottom:auto;height:calc(${100 / lanes}% - 3px);`;
}

function segmentHtml(s: Segment, lanes: number, x: (t: number) => number): string {
  const left = Math.max(0, x(s.startMs));
  const right = Math.min(100, x(s.endMs));
  if (right < 0 || left > 100) return '';
  const title = `${s.phase} · ${formatDuration(s.endMs - s.startMs)}${s.open ? ' so far' : ''}`;
  return (
    `<div class="seg seg-${s.phase}${s.open ? ' open' : ''}" title="${title}" ` +
    `style="left:${left}%;width:${Math.max(0, right - left)}%;${laneStyle(s.lane, lanes)}"></div>`
  );
}

function markerHtml(m: Marker, lanes: number, x: (t: number) => number): string {
  const left = x(m.timeMs);
  if (left < 0 || left > 100) return '';
  const status = m.status === undefined ? '' : ` status-${m.status}-mark`;
  const title = m.type === 'finished' ? `finished: ${m.status}` : m.type.replace('-', ' ');
  return `<div class="mark mark-${m.type}${status}" title="${title}" style="left:${left}%;${laneStyle(m.lane, lanes)}"></div>`;
}

function axisTicks(window: TimeWindow): string {
  const span = Math.max(1, window.endMs - window.startMs);
  const step = tickStep(span, 8);
  // As many digits of seconds as the spacing needs: 500 ms ticks show tenths.
  const decimals = step >= 1000 ? 0 : step >= 100 ? 1 : step >= 10 ? 2 : 3;
  const ticks: string[] = [];
  for (let t = Math.ceil(window.startMs / step) * step; t <= window.endMs; t += step) {
    const left = ((t - window.startMs) / span) * 100;
    ticks.push(`<span class="tick" style="left:${left}%">${formatClock(t, decimals)}</span>`);
  }
  return ticks.join('');
}
