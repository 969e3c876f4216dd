/**
 * Step charts (uPlot) over the same time window as the timeline, one strip
 * each: batch size (and waiting requests), tokens per step split prefill /
 * decode, KV-cache usage, and preemptions. Their y-axis is exactly as wide
 * as the timeline's label column, so a spike lines up with the rows under it.
 * @module
 */
import uPlot from 'uplot';
import type { StepSummary } from '../shared/journey-types.js';
import { cssVar } from './format.js';
import type { JourneyStore } from './journey-store.js';
import type { TimeWindow } from './timeline.js';

/** One strip: its title, series and how to read them from the steps. */
interface StripSpec {
  readonly key: string;
  readonly title: string;
  /** Column values per series, from the steps. */
  readonly columns: (steps: readonly StepSummary[]) => number[][];
  readonly series: (colors: Colors) => uPlot.Series[];
  /** The readout at step `i` (hovered, else the last). */
  readonly readout: (steps: readonly StepSummary[], i: number) => string;
  /** Fixed y range, when the quantity has one. */
  readonly yRange?: [number, number];
}

type Colors = Readonly<Record<'queued' | 'prefill' | 'decode' | 'preempted' | 'kv', string>>;

const stepped = uPlot.paths.stepped!({ align: 1 });

const STRIPS: readonly StripSpec[] = [
  {
    key: 'batch',
    title: 'batch size',
    columns: (steps) => [steps.map((s) => s.batchSize), steps.map((s) => s.numWaiting)],
    series: (c) => [
      { label: 'batch', stroke: c.prefill, fill: `${c.prefill}33`, paths: stepped, points: { show: false } },
      { label: 'waiting', stroke: c.queued, dash: [4, 3], paths: stepped, points: { show: false } },
    ],
    readout: (steps, i) => `${steps[i]!.batchSize} in the batch · ${steps[i]!.numWaiting} waiting`,
  },
  {
    key: 'tokens',
    title: 'tokens / step',
    // Stacked by hand: the prefill series is drawn as prefill + decode, behind decode.
    columns: (steps) => [
      steps.map((s) => s.prefillTokens + s.decodeTokens),
      steps.map((s) => s.decodeTokens),
    ],
    series: (c) => [
      { label: 'prefill', stroke: c.prefill, fill: c.prefill, paths: stepped, points: { show: false } },
      { label: 'decode', stroke: c.decode, fill: c.decode, paths: stepped, points: { show: false } },
    ],
    readout: (steps, i) => `${steps[i]!.prefillTokens} prefill · ${steps[i]!.decodeTokens} decode`,
  },
  {
    key: 'kv',
    title: 'KV cache used',
    columns: (steps) => [steps.map((s) => s.kvUsage * 100)],
    series: (c) => [
      { label: 'KV %', stroke: c.kv, fill: `${c.kv}40`, paths: stepped, points: { show: false } },
    ],
    readout: (steps, i) => `${(steps[i]!.kvUsage * 100).toFixed(1)}% · ${steps[i]!.kvBlocksUsed} blocks`,
    yRange: [0, 100],
  },
  {
    key: 'preemptions',
    title: 'preemptions',
    columns: (steps) => [steps.map((s) => s.preempted)],
    series: (c) => [
      {
        label: 'preempted',
        stroke: c.preempted,
        fill: c.preempted,
        paths: uPlot.paths.bars!({ size: [1, 6, 2] }),
        points: { show: false },
      },
    ],
    readout: (steps, i) => {
      const total = steps.reduce((sum, s) => sum + s.preempted, 0);
      return `${steps[i]!.preempted} at this step · ${total} in all`;
    },
  },
];

interface Strip {
  readonly spec: StripSpec;
  readonly plot: uPlot;
  readonly root: HTMLElement;
}

/** The four strips; `render` feeds them the store's steps and the window. */
export class StepCharts {
  readonly #strips: Strip[];
  #window: TimeWindow = { startMs: 0, endMs: 1 };
  #steps: StepSummary[] = [];
  #version = -1;

  constructor(container: HTMLElement) {
    const colors: Colors = {
      queued: cssVar('--queued'),
      prefill: cssVar('--prefill'),
      decode: cssVar('--decode'),
      preempted: cssVar('--preempted'),
      kv: '#6a4c93',
    };
    this.#strips = STRIPS.map((spec) => this.#strip(container, spec, colors));
    window.addEventListener('resize', () => {
      for (const strip of this.#strips) strip.plot.setSize({ width: container.clientWidth, height: 84 });
    });
  }

  /** Redraws with the store's steps (re-read only when they changed) over `window`. */
  render(store: JourneyStore, window: TimeWindow): void {
    this.#window = window;
    if (store.version !== this.#version) {
      this.#version = store.version;
      this.#steps = store.steps.toArray();
      const x = this.#steps.map((s) => s.startMs / 1000);
      for (const strip of this.#strips) {
        strip.plot.setData([x, ...strip.spec.columns(this.#steps)], false);
        strip.root.dataset.points = String(this.#steps.length);
      }
    }
    for (const strip of this.#strips) {
      strip.plot.setScale('x', { min: window.startMs / 1000, max: window.endMs / 1000 });
      this.#showReadout(strip.root, strip.spec, null);
    }
  }

  #strip(container: HTMLElement, spec: StripSpec, colors: Colors): Strip {
    const root = document.createElement('div');
    root.className = `chart chart-${spec.key}`;
    root.dataset.points = '0';
    root.innerHTML = `<div class="title">${spec.title}</div><div class="readout"></div>`;
    container.append(root);
    const labelWidth = parseFloat(cssVar('--label-width'));
    const trackRight = parseFloat(cssVar('--track-right'));
    return {
      spec,
      root,
      plot: new uPlot(
        {
          width: container.clientWidth,
          height: 84,
          padding: [12, trackRight, 6, 0],
          legend: { show: false },
          cursor: { sync: { key: 'steps' }, drag: { x: false, y: false }, points: { show: false } },
          scales: {
            x: { time: true, range: () => [this.#window.startMs / 1000, this.#window.endMs / 1000] },
            y: { range: (_u, _min, max) => spec.yRange ?? [0, niceCeil(max)] },
          },
          axes: [
            { show: false },
            {
              size: labelWidth,
              gap: 6,
              ticks: { show: false },
              grid: { stroke: '#eef0f3', width: 1 },
              splits: (_u, _axis, min, max) => (max % 2 === 0 ? [min, max / 2, max] : [min, max]),
              values: (_u, splits) => splits.map((v) => (spec.yRange ? `${v}%` : String(Math.round(v)))),
              font: '11px system-ui, sans-serif',
              stroke: '#5f6b7a',
            },
          ],
          series: [{}, ...spec.series(colors)],
          hooks: { setCursor: [(u) => this.#showReadout(root, spec, u.cursor.idx ?? null)] },
        },
        [[], ...spec.series(colors).map(() => [])],
        root,
      ),
    };
  }

  /** The values at step `idx` (hovered), else at the last step. */
  #showReadout(root: HTMLElement, spec: StripSpec, idx: number | null): void {
    const i = idx ?? this.#steps.length - 1;
    const step = this.#steps[i];
    root.querySelector('.readout')!.textContent =
      step === undefined ? 'no steps yet' : `step ${step.step}: ${spec.readout(this.#steps, i)}`;
  }
}

/** The smallest of 1, 2, 5 × 10^k (or 4, so halves stay whole) at or above `value`: a y-axis top. */
function niceCeil(value: number): number {
  if (!(value > 1)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 4, 5, 10].map((f) => f * power).find((top) => top >= value)!;
}
