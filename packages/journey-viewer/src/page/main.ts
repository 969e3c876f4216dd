/**
 * The page: asks the server whether a live feed is there, follows it over
 * server-sent events, or opens an OTLP-JSON trace (file picker, drag and
 * drop, or the trace the offline server was started with), and redraws the
 * legend, step charts, timeline and details panel from one store.
 * @module
 */
import { SEGMENT_PHASES } from '../shared/journey-layout.js';
import type { JourneySnapshot, JourneyUpdate } from '../shared/journey-types.js';
import { OtlpParseError, parseOtlpJson } from '../shared/otlp-json.js';
import { EventDetails } from './event-details.js';
import { JourneyStore } from './journey-store.js';
import { StepCharts } from './step-charts.js';
import { Timeline, type TimeWindow } from './timeline.js';
import { layoutJourney } from '../shared/journey-layout.js';

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const PHASE_TEXT: Readonly<Record<string, string>> = {
  api: 'arriving (parse, tokenize)',
  queued: 'queued',
  prefill: 'prefill',
  decode: 'decode',
  preempted: 'preempted',
  respond: 'responding',
};

const store = new JourneyStore();
const source = byId('source');
const counts = byId('counts');
const errorBox = byId('error');
const backToLive = byId<HTMLButtonElement>('back-to-live');
let selected: string | undefined;
let windowMs = 0;
let events: EventSource | undefined;
let liveAvailable = false;

const timeline = new Timeline({ rows: byId('rows'), axis: byId('axis'), empty: byId('empty') }, (id) => {
  selected = selected === id ? undefined : id;
  draw();
});
const charts = new StepCharts(byId('charts'));
const details = new EventDetails(byId('details'), () => {
  selected = undefined;
  draw();
});
byId('legend').innerHTML = legendHtml();

/** The window every view draws: the last `windowMs`, or everything kept (at least a second). */
function timeWindow(): TimeWindow {
  const endMs = store.nowMs();
  const first = store.startMs() ?? endMs - 10_000;
  const startMs = windowMs > 0 ? endMs - windowMs : first - Math.max(50, (endMs - first) * 0.01);
  return { startMs: Math.min(startMs, endMs - 1000), endMs };
}

let drawQueued = false;
/** Redraws on the next frame (several changes in one frame draw once). */
function draw(): void {
  if (drawQueued) return;
  drawQueued = true;
  requestAnimationFrame(() => {
    drawQueued = false;
    const window = timeWindow();
    charts.render(store, window);
    timeline.render(store, window, selected);
    details.show(selected === undefined ? undefined : store.journeys.get(selected), store.nowMs());
    counts.textContent = countsText();
  });
}

function countsText(): string {
  const now = store.nowMs();
  const tally = new Map<string, number>();
  for (const journey of store.journeys.values()) {
    const status = layoutJourney(journey, now).status;
    tally.set(status, (tally.get(status) ?? 0) + 1);
  }
  const inFlight = ['arriving', 'queued', 'prefill', 'decode', 'preempted'].reduce(
    (n, s) => n + (tally.get(s) ?? 0),
    0,
  );
  const parts = [`${store.journeys.size} requests`, `${inFlight} in flight`];
  for (const status of ['preempted', 'stopped', 'length', 'aborted', 'rejected', 'error', 'ignored']) {
    const n = tally.get(status);
    if (n) parts.push(`${n} ${status}`);
  }
  return parts.join(' · ');
}

function setSource(state: 'connecting' | 'live' | 'down' | 'offline', text: string): void {
  source.dataset.state = state;
  source.textContent = text;
}

function showError(message: string | undefined): void {
  errorBox.hidden = message === undefined;
  errorBox.textContent = message ?? '';
}

function connectLive(): void {
  events?.close();
  showError(undefined);
  setSource('connecting', 'connecting…');
  byId('empty').textContent = 'Waiting for requests…';
  backToLive.hidden = true;
  events = new EventSource('events');
  events.addEventListener('snapshot', (e) => {
    store.applySnapshot(JSON.parse((e as MessageEvent<string>).data) as JourneySnapshot);
    setSource('live', 'live');
    draw();
  });
  events.addEventListener('update', (e) => {
    store.applyUpdate(JSON.parse((e as MessageEvent<string>).data) as JourneyUpdate);
    draw();
  });
  events.onerror = () => setSource('down', 'reconnecting…');
}

/** Opens a trace from its text; a bad file leaves the view as it was and says why. */
function openTrace(text: string, name: string): void {
  try {
    const trace = parseOtlpJson(text);
    events?.close();
    events = undefined;
    store.applyTrace(trace.journeys, trace.steps);
    selected = undefined;
    showError(
      trace.journeys.length === 0
        ? `${name}: no x-llm journeys among its ${trace.spanCount} spans`
        : undefined,
    );
    setSource('offline', `${name}: ${trace.journeys.length} requests, ${trace.steps.length} steps`);
    byId('empty').textContent = 'No requests in this trace.';
    backToLive.hidden = !liveAvailable;
    draw();
  } catch (error) {
    showError(`${name}: ${error instanceof OtlpParseError ? error.message : String(error)}`);
  }
}

async function openFile(file: File): Promise<void> {
  openTrace(await file.text(), file.name);
}

function legendHtml(): string {
  const phases = SEGMENT_PHASES.map(
    (p) => `<span class="item"><span class="swatch seg-${p}"></span>${PHASE_TEXT[p]}</span>`,
  );
  const marks = [
    '<span class="item"><span class="swatch" style="position:relative"><span class="mark mark-first-token" style="left:50%"></span></span>first token</span>',
    '<span class="item"><span class="swatch seg-prefill" style="position:relative"><span class="mark mark-prefill-chunk" style="left:50%"></span></span>prefill chunk</span>',
    '<span class="item"><span class="swatch" style="position:relative"><span class="mark mark-finished" style="left:50%"></span></span>finished</span>',
    '<span class="item"><span class="swatch" style="position:relative"><span class="mark mark-aborted" style="left:50%"></span></span>aborted</span>',
  ];
  return [...phases, '<span class="sep"></span>', ...marks].join('');
}

byId<HTMLSelectElement>('window').addEventListener('change', (e) => {
  windowMs = Number((e.target as HTMLSelectElement).value);
  draw();
});
byId<HTMLInputElement>('file').addEventListener('change', (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (file) void openFile(file);
});
backToLive.addEventListener('click', connectLive);
const drop = byId('drop');
document.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.hidden = false;
});
document.addEventListener('dragleave', (e) => {
  if (e.relatedTarget === null) drop.hidden = true;
});
document.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.hidden = true;
  const file = e.dataTransfer?.files[0];
  if (file) void openFile(file);
});
// In-flight segments grow with time even when no event arrives.
setInterval(() => {
  if (store.live) draw();
}, 500);

const config = (await (await fetch('config.json')).json()) as {
  live: boolean;
  trace: { url: string; name: string } | null;
};
liveAvailable = config.live;
if (config.trace !== null) openTrace(await (await fetch(config.trace.url)).text(), config.trace.name);
else if (config.live) connectLive();
else {
  setSource('offline', 'no live source');
  byId('empty').textContent = 'Open an OTLP-JSON trace (button above, or drop the file here).';
  draw();
}
