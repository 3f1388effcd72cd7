// What the applier tells the world while it works: one discriminated union of
// events, emitted through hooks, so that the live TTY view, the CI lines and
// the JSON-lines stream are three listeners of the same story rather than
// three code paths (Terraform's hooks, grizzly's event recorder).
//
// Events carry names, numbers, states and error messages only; never a
// request header or a credential.

import { rawOf } from '../appshub/wire.js';
import type { CheckEvent } from '../checks/events.js';
import type { CheckReport } from '../checks/run.js';
import type { ActionReason } from '../plan/types.js';
import type { Verification } from '../plan/verification.js';

export type PublishKind = 'app' | 'version' | 'revision';

/** How one planned publish ended. */
export type PublishOutcome =
  /** Published and READY at the expected revision. */
  | 'ready'
  /** The server refused it, or it ended FAILED, or its effect could not be established. */
  | 'failed'
  /** Sent, but not READY within the per-publish timeout. */
  | 'timed-out'
  /** Not sent because an earlier publish of the same app did not succeed. */
  | 'skipped'
  /** Not sent because the run was interrupted first. */
  | 'not-started'
  /** Sent (or possibly committed) but the run was interrupted before READY was confirmed. */
  | 'unconfirmed';

export interface PublishRef {
  app: string;
  /** 1-based position among the app's publishes. */
  step: number;
  /** The version the plan expects this publish to produce or replace. */
  version: number;
}

interface At {
  /** Milliseconds since the epoch, from the applier's clock. */
  at: number;
}

export interface ApplyTotals {
  /** Publishes in the plan that was executed. */
  planned: number;
  ready: number;
  failed: number;
  timedOut: number;
  skipped: number;
  notStarted: number;
  unconfirmed: number;
  /** `POST apps/` requests sent, resends included. */
  requestsSent: number;
  /** Of those, sends beyond the first for the same publish (lost response or 409/429). */
  resends: number;
}

export interface StillToDo {
  app: string;
  /** Why, as describeReason() words it, one entry per reason. */
  reasons: string[];
  /** Conflicts that block the app, worded for people. */
  conflicts: string[];
}

export type ApplyEvent =
  /** A check's run (`p7apps check`, or apply's canary step): src/checks/events.ts. */
  | CheckEvent
  | (At & {
      type: 'apply-start';
      apps: { app: string; publishes: number }[];
      publishes: number;
      parallelism: number;
      timeoutMs: number;
      /** Added within format 1: the config's environment the plan is for (--env); absent when the config declares none. */
      environment?: string;
    })
  | (At & { type: 'app-start'; app: string; appId: string | null; publishes: number })
  | (At &
      PublishRef & {
        type: 'publish-start';
        of: number;
        creates: PublishKind;
        setAsDefault: boolean;
        workflowPath: string;
        reasons: ActionReason[];
      })
  | (At &
      PublishRef & {
        type: 'publish-sent';
        appId: string;
        attempt: number;
        /** What the server answered: the version it assigned, its revision and state. */
        response: { version: number; revision: number | null; state: string | null };
      })
  | (At &
      PublishRef & {
        type: 'publish-ambiguous';
        attempt: number;
        error: string;
        /** Set when the server accepted the publish (2xx) but its answer did not tell what it made: read back, never sent again. */
        committed?: true;
      })
  | (At & PublishRef & { type: 'publish-recheck'; tookEffect: boolean; appId: string | null; detail: string })
  | (At &
      PublishRef & {
        type: 'publish-resend';
        attempt: number;
        reason: 'response-lost' | 'server-busy' | 'server-unreachable';
        waitMs: number;
      })
  | (At &
      PublishRef & {
        type: 'poll';
        appId: string;
        state: string | null;
        revision: number | null;
        polls: number;
        elapsedMs: number;
        /** Set when this poll failed; polling goes on until the deadline. */
        error?: string;
      })
  /** A publishing state p7apps does not know, each time the version's state changes to one: waited on for at most `limitMs` unchanged. */
  | (At & PublishRef & { type: 'publish-state-unknown'; appId: string; state: string; elapsedMs: number; limitMs: number })
  | (At & PublishRef & { type: 'publish-ready'; appId: string; revision: number | null; elapsedMs: number; polls: number })
  | (At &
      PublishRef & {
        type: 'publish-failed';
        outcome: 'failed' | 'timed-out';
        error: string;
        elapsedMs: number;
      })
  /** The run was interrupted after this publish was sent (or may have been committed), before READY. */
  | (At & PublishRef & { type: 'publish-unconfirmed'; appId: string | null; detail: string; elapsedMs: number })
  | (At & {
      type: 'app-done';
      app: string;
      appId: string | null;
      outcome: 'done' | 'failed' | 'interrupted';
      ready: number;
      /** Steps of this app that were not sent. */
      skipped: number[];
    })
  | (At & { type: 'app-skipped'; app: string; reason: 'conflict' | 'still-publishing' | 'changed-since-plan' | 'interrupted'; detail: string })
  | (At & { type: 'interrupted'; inFlight: string[] })
  /** `environment`, added within format 1, as in apply-start. */
  | (At & { type: 'apply-done'; interrupted: boolean; totals: ApplyTotals; elapsedMs: number; publishes: PublishReport[]; environment?: string })
  | (At & { type: 'converge-start'; apps: number })
  | (At & {
      type: 'converge-done';
      /** Nothing left to do as far as the server shows: read `verification` for what it could not show. */
      converged: boolean;
      remaining: StillToDo[];
      /** What the convergence read verified and what it could not (added within format 1). */
      verification?: Verification;
    });

export type ApplyEventType = ApplyEvent['type'];

/** The result of one planned publish. */
export interface PublishReport extends PublishRef {
  appId: string | null;
  creates: PublishKind;
  /** The revision the server reported last for this publish, when known. */
  revision: number | null;
  outcome: PublishOutcome;
  /** From the first send to READY. */
  timeToReadyMs: number | null;
  polls: number;
  /** Sends beyond the first. */
  resends: number;
  error: string | null;
  /** Publishing states p7apps does not know that this publish went through, as the server named them; absent when none. */
  unknownStates?: string[];
  /** The checks run once this publish was READY (added within format 1); absent when none ran. */
  checks?: CheckReport[];
  /**
   * Unconfirmed with no answer to say whether it was committed (lost, or not
   * come by the timeout or interruption): the server may still commit it
   * until the late-commit window has passed (added within format 1); absent
   * otherwise.
   */
  mayCommitLate?: true;
}

/** A state name as the server sent it, for messages: quoted and escaped (server text) unless it is a plain word. */
export function stateName(state: string): string {
  return /^[A-Za-z0-9_.-]{1,64}$/.test(state) ? state : rawOf(state);
}

/** Receives every event, in order. Must not throw. */
export interface ApplyHooks {
  emit(event: ApplyEvent): void;
}

export interface ApplyListener extends ApplyHooks {
  /** Stops timers and finishes the output; called once at the end. */
  close?(): void;
}

/** One hook that hands each event to several listeners, in order. */
export function fanOut(...listeners: ApplyListener[]): Required<ApplyListener> {
  return {
    emit(event) {
      for (const listener of listeners) listener.emit(event);
    },
    close() {
      for (const listener of listeners) listener.close?.();
    },
  };
}

/** A listener that keeps every event, for tests and for the command's own bookkeeping. */
export function recordEvents(): ApplyListener & { events: ApplyEvent[] } {
  const events: ApplyEvent[] = [];
  return {
    events,
    emit(event) {
      events.push(event);
    },
  };
}
