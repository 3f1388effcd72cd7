// What a check tells the world while it runs, as members of the one event
// stream (src/apply/events.ts includes them), so `p7apps check` and apply's
// canary steps show checks through the same listeners as publishes.
//
// Events carry names, numbers, states and messages only; parameter values
// and results appear only in a finished check's outcome.

import type { CheckOutcome } from './evaluate.js';

interface At {
  at: number;
}

export interface CheckRef {
  app: string;
  check: string;
  /** The version checked; null: the app's default version, whichever it is. */
  version: number | null;
}

/** What happened to the run a check made, once the check ended. */
export type RunCleanup =
  /** The run was deleted (or was found gone). */
  | 'deleted'
  /** No run was made (deploying it was refused or never reached the server). */
  | 'none'
  /** A run was (or may have been) made and could not be deleted: `detail` says which and why. */
  | 'left';

export type CheckEvent =
  | (At & CheckRef & { type: 'check-start'; personal: boolean; timeoutMs: number })
  | (At & CheckRef & { type: 'check-run-deployed'; runId: string })
  /** The run's state changed (the first state seen included). */
  | (At & CheckRef & { type: 'check-run-state'; runId: string; state: string; elapsedMs: number })
  | (At & CheckRef & { type: 'check-done'; outcome: CheckOutcome; runId: string | null; elapsedMs: number })
  | (At & CheckRef & { type: 'check-cleanup'; runId: string | null; cleanup: RunCleanup; detail: string | null })
  /**
   * Apply's verdict on a published version's checks. 'canary': passed, the
   * promotion follows; not passed, the version stays published but not
   * default, `keptDefault` stays default, and the app stops. 'after': the
   * version is already default; not passed fails the app.
   */
  | (At & { type: 'check-gate'; app: string; version: number; mode: 'canary' | 'after'; passed: boolean; keptDefault: number | null; failed: string[] });
