/**
 * Charts from Vega-Lite specs: compiled to Vega, rendered headless to SVG by
 * Vega's own scenegraph renderer, and rasterized to PNG by resvg (its
 * prebuilt binary comes from npm; text needs a system font such as DejaVu).
 * @module
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** The look shared by every chart: white background, readable sizes. */
const CONFIG = {
  background: 'white',
  font: 'DejaVu Sans, Verdana, sans-serif',
  padding: 12,
  title: { fontSize: 16, subtitleFontSize: 12, subtitleColor: '#555', anchor: 'start', offset: 12 },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#e6e6e6' },
  header: { labelFontSize: 13, titleFontSize: 13 },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 320 },
  view: { stroke: '#ccc' },
} as const;

/** PNG pixels per SVG unit: crisp on high-density screens, still small files. */
const PNG_ZOOM = 2;

/** The chart as SVG text. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const { spec: vegaSpec } = compile({ ...spec, config: { ...CONFIG, ...spec.config } } as TopLevelSpec);
  const view = new View(parse(vegaSpec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The SVG rasterized to PNG bytes. */
export function svgToPng(svg: string): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: PNG_ZOOM },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}

/** Writes `<name>.svg` and `<name>.png` into `dir`; returns both paths. */
export async function writeChart(dir: string, name: string, spec: TopLevelSpec): Promise<string[]> {
  const svg = await renderSvg(spec);
  const paths = [join(dir, `${name}.svg`), join(dir, `${name}.png`)];
  writeFileSync(paths[0]!, svg);
  writeFileSync(paths[1]!, svgToPng(svg));
  return paths;
}
