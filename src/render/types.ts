// The one signature every plan renderer has, so that the plan and drift
// commands pick a renderer by format and nothing else.

import type { DriftReport } from '../plan/drift.js';
import type { DoctorReport } from '../doctor/report.js';
import type { Plan } from '../plan/types.js';

export interface RenderOptions {
  /** ANSI colours (the CLI decides: TTY, NO_COLOR, --no-color). */
  color: boolean;
  /** Also list unchanged apps and every note. */
  verbose: boolean;
  /** Thumbnails for the HTML reports (src/report/thumbnails.ts gathers them); the other formats ignore it. */
  thumbnails?: ReportThumbnails;
}

/** One side's thumbnail as the HTML report shows it: inlined, or why not. */
export type ReportImage =
  | { kind: 'image'; dataUri: string; mediaType: string; size: number; sha256: string }
  | { kind: 'missing'; text: string };

export interface AppThumbnails {
  config: ReportImage;
  server: ReportImage;
}

export interface ReportThumbnails {
  /** Apps the config declares, by name. */
  managed: ReadonlyMap<string, AppThumbnails>;
  /** Apps only the server has, by id. */
  unmanaged: ReadonlyMap<string, AppThumbnails>;
}

export type PlanRenderer = (plan: Plan, out: NodeJS.WritableStream, options: RenderOptions) => void;

/** Every drift format has this shape, like the plan renderers. */
export type DriftRenderer = (report: DriftReport, out: NodeJS.WritableStream, options: RenderOptions) => void;

/** The doctor report's formats have this shape too. */
export type DoctorRenderer = (report: DoctorReport, out: NodeJS.WritableStream, options: RenderOptions) => void;
