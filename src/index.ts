// The library API of p7apps: what `import … from 'p7apps'` gives.

export * from './appshub/types.js';
export type * from './config/desired.js';
export type * from './plan/types.js';
export type * from './plan/observed.js';
export { P7appsError, UsageError } from './errors.js';
export { computePlan, fingerprintObservedApp } from './plan/compute.js';
export { planToDocument, planFromDocument, type PlanDocumentV1 } from './plan/document.js';
export { readObservedState, type ReadOptions } from './observe/read.js';
