/**
 * The panel a clicked row opens: the request's parameters, then every event
 * with its time since arrival, the gap since the previous event, and its
 * progress snapshot (step, phase, prompt and output tokens, preemptions).
 * @module
 */
import { layoutJourney } from '../shared/journey-layout.js';
import type { Journey, JourneyEvent } from '../shared/journey-types.js';
import { escapeHtml, formatClock, formatDuration } from './format.js';

const PHASE_COLOR: Readonly<Record<string, string>> = {
  WAITING: 'var(--queued)',
  PREFILL: 'var(--prefill)',
  DECODE: 'var(--decode)',
};

/** Shows one journey's events; `close` hides it. */
export class EventDetails {
  readonly #panel: HTMLElement;

  constructor(panel: HTMLElement, onClose: () => void) {
    this.#panel = panel;
    panel.addEventListener('click', (event) => {
      if ((event.target as HTMLElement).closest('.close')) onClose();
    });
  }

  /** Fills the panel with `journey` as of `nowMs`, or hides it when undefined. */
  show(journey: Journey | undefined, nowMs: number): void {
    this.#panel.hidden = journey === undefined;
    if (journey === undefined) return;
    const layout = layoutJourney(journey, nowMs);
    const info = journey.info;
    const facts: [string, string | number | undefined][] = [
      ['status', `${layout.status}${layout.reason ? ` (${layout.reason})` : ''}`],
      ['arrived', formatClock(journey.startMs)],
      ['duration', `${formatDuration(layout.endMs - layout.startMs)}${layout.done ? '' : ' so far'}`],
      ['endpoint', info.endpoint],
      ['model', info.model],
      ['prompt tokens', layout.promptTokens],
      [
        'output tokens',
        `${layout.outputTokens}${info.maxTokens !== undefined ? ` of at most ${info.maxTokens}` : ''}`,
      ],
      ['stream', info.stream === undefined ? undefined : info.stream ? 'yes' : 'no'],
      ['choices (n)', info.n],
      ['preemptions', layout.preemptions],
    ];
    const dropped =
      journey.droppedEvents > 0 ? `<p>${journey.droppedEvents} events left out (per-request cap)</p>` : '';
    this.#panel.innerHTML =
      `<button class="close" type="button" aria-label="close">✕</button>` +
      `<h2>${escapeHtml(journey.id)}</h2>` +
      `<dl>${facts
        .filter(([, value]) => value !== undefined)
        .map(([name, value]) => `<dt>${name}</dt><dd>${escapeHtml(String(value))}</dd>`)
        .join('')}</dl>` +
      dropped +
      eventTable(journey);
  }
}

function eventTable(journey: Journey): string {
  const head = ['+ time', 'gap', 'layer', 'event', 'step', 'phase', 'prompt', 'output', 'preempt.', 'detail'];
  let previous = journey.startMs;
  const rows = journey.events.map((event) => {
    const gap = event.timeMs - previous;
    previous = event.timeMs;
    return eventRow(event, event.timeMs - journey.startMs, gap);
  });
  return (
    `<table class="events"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table>`
  );
}

function eventRow(event: JourneyEvent, sinceMs: number, gapMs: number): string {
  const p = event.progress;
  const phase = p?.phase ?? '';
  const dot = `<span class="event-dot" style="background:${PHASE_COLOR[phase] ?? 'var(--api)'}"></span>`;
  const name = event.choice !== undefined ? `${event.type} #${event.choice}` : event.type;
  const detail = [...new Set([event.kind, event.status, event.reason])]
    .filter((x) => x !== undefined)
    .join(' · ');
  const cells = [
    `<td class="num">${formatDuration(sinceMs)}</td>`,
    `<td class="num">${formatDuration(gapMs)}</td>`,
    `<td>${event.layer}</td>`,
    `<td>${dot}${name}</td>`,
    `<td class="num">${p?.step ?? ''}</td>`,
    `<td>${phase}</td>`,
    `<td class="num">${p ? `${p.prefillDone}/${p.prefillTotal}` : ''}</td>`,
    `<td class="num">${p ? `${p.decodeDone}/${p.decodeMax}` : ''}</td>`,
    `<td class="num">${p?.numPreemptions ?? ''}</td>`,
    `<td>${escapeHtml(detail)}</td>`,
  ];
  return `<tr data-type="${event.type}">${cells.join('')}</tr>`;
}
