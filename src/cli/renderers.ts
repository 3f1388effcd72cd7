// Which renderer draws each output format of plan, show and drift, loaded
// only when its format is asked for. Every command runs through the same
// CLI bundle, and a renderer's module (the HTML page with its styles, the
// Markdown tables, the terminal words) is code that one format needs and
// the others only pay to compile: `plan --format json`, the format CI
// reads, loads the JSON writer alone.

import type { DriftRenderer, PlanRenderer } from '../render/types.js';
import type { DriftFormat } from './commands/drift.js';
import type { PlanFormat } from './commands/plan.js';

export const PLAN_RENDERERS = {
  human: async () => (await import('../render/plan-human.js')).renderPlanHuman,
  json: async () => (await import('../render/plan-json.js')).renderPlanJson,
  markdown: async () => (await import('../render/plan-markdown.js')).renderPlanMarkdown,
  html: async () => (await import('../render/plan-html.js')).renderPlanHtml,
} satisfies Record<PlanFormat, () => Promise<PlanRenderer>>;

export const DRIFT_RENDERERS = {
  human: async () => (await import('../render/drift-human.js')).renderDriftHuman,
  markdown: async () => (await import('../render/drift-markdown.js')).renderDriftMarkdown,
  json: async () => (await import('../render/drift-json.js')).renderDriftJson,
  junit: async () => (await import('../render/drift-junit.js')).renderDriftJunit,
  html: async () => (await import('../render/drift-html.js')).renderDriftHtml,
} satisfies Record<DriftFormat, () => Promise<DriftRenderer>>;

/**
 * The renderer of `format`, already loading: a command starts this before
 * it reads the server, so that the module's file is read while the command
 * waits for answers. A failure to load is the caller's when it awaits,
 * never an unhandled rejection meanwhile.
 */
export function rendererLoading<F extends string, R>(renderers: Record<F, () => Promise<R>>, format: F): Promise<R> {
  const loading = renderers[format]();
  loading.catch(() => undefined);
  return loading;
}
