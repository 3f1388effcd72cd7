// The fault matrix's figures: runs summed per profile, the table printed by
// `npm run chaos`, and the document written to bench/chaos-results.json.

import { FAULT_KINDS, type FaultCounts } from '../src/emulator/index.js';
import type { FaultProfile } from './chaos-profiles.js';
import { LATENCY_SPIKE_MS, type RunResult } from './chaos-run.js';
import { addFaultCounts, emptyFaultCounts } from './chaos-stage.js';

export interface ProfileSummary {
  profile: string;
  describe: string;
  runs: number;
  convergedFirstApply: number;
  convergedSecondApply: number;
  notConverged: number;
  duplicates: number;
  lost: number;
  falseSuccesses: number;
  requests: number;
  faultsInjected: number;
  faults: FaultCounts;
  latencySpikes: number;
  /** Lost publish responses the applier noticed and checked on the server. */
  ambiguousRechecked: number;
  resends: number;
  restarts: number;
  /** failing-app only: runs in which both applies reported that app's failure. */
  failingAppReported?: number;
  /** Race profiles only: how the racing applies were stopped, summed over runs. */
  race?: { lockRefused: number; stoppedByCheck: number; reportedDuplicates: number; exitedZeroBoth: number };
  meanSecondsPerRun: number;
}

export function summarise(profile: FaultProfile, runs: RunResult[]): ProfileSummary {
  const sum = (f: (r: RunResult) => number) => runs.reduce((n, r) => n + f(r), 0);
  const faults = runs.reduce((total, r) => addFaultCounts(total, r.faults), emptyFaultCounts());
  const summary: ProfileSummary = {
    profile: profile.name,
    describe: profile.describe,
    runs: runs.length,
    convergedFirstApply: runs.filter((r) => r.convergedAfter === 1).length,
    convergedSecondApply: runs.filter((r) => r.convergedAfter === 2).length,
    notConverged: runs.filter((r) => r.convergedAfter === null).length,
    duplicates: sum((r) => r.duplicates),
    lost: sum((r) => r.lost),
    falseSuccesses: sum((r) => r.falseSuccesses),
    requests: sum((r) => r.requests),
    faultsInjected: FAULT_KINDS.reduce((n, k) => n + faults[k], 0) + sum((r) => r.latencySpikes) + sum((r) => r.restarts),
    faults,
    latencySpikes: sum((r) => r.latencySpikes),
    ambiguousRechecked: sum((r) => r.applies.reduce((n, a) => n + a.ambiguous, 0)),
    resends: sum((r) => r.applies.reduce((n, a) => n + a.resends, 0)),
    restarts: sum((r) => r.restarts),
    meanSecondsPerRun: runs.length === 0 ? 0 : Math.round(sum((r) => r.elapsedMs) / runs.length / 100) / 10,
  };
  if (profile.failingApp) summary.failingAppReported = runs.filter((r) => r.failingAppReported === true).length;
  if (profile.race) {
    const races = runs.map((r) => r.applies[0]?.race).filter((r) => r !== undefined);
    summary.race = {
      lockRefused: races.reduce((n, r) => n + r.lockRefused, 0),
      stoppedByCheck: races.reduce((n, r) => n + r.stoppedByCheck, 0),
      reportedDuplicates: races.reduce((n, r) => n + r.reportedDuplicates, 0),
      exitedZeroBoth: runs.filter((r) => r.applies[0]?.exitCode === 0 && r.applies[0]?.race?.otherExitCode === 0).length,
    };
  }
  return summary;
}

const COLUMNS: [string, (s: ProfileSummary) => string | number][] = [
  ['profile', (s) => s.profile],
  ['runs', (s) => s.runs],
  ['faults', (s) => s.faultsInjected],
  ['requests', (s) => s.requests],
  ['converged 1st', (s) => s.convergedFirstApply],
  ['converged 2nd', (s) => s.convergedSecondApply],
  ['not converged', (s) => s.notConverged],
  ['duplicates', (s) => s.duplicates],
  ['lost', (s) => s.lost],
  ['false success', (s) => s.falseSuccesses],
  ['rechecked', (s) => s.ambiguousRechecked],
  ['resends', (s) => s.resends],
  ['s/run', (s) => s.meanSecondsPerRun],
];

/** A Markdown table, readable in a terminal as it is and pasteable into the README. */
export function renderTable(summaries: ProfileSummary[]): string {
  const rows = [COLUMNS.map(([title]) => title), ...summaries.map((s) => COLUMNS.map(([, cell]) => String(cell(s))))];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)].join('\n');
}

/** What each kind of fault did, per profile, for the lines under the table. */
export function renderFaultKinds(summaries: ProfileSummary[]): string {
  return summaries
    .map((s) => {
      const kinds = FAULT_KINDS.filter((k) => s.faults[k] > 0).map((k) => `${k} ${s.faults[k]}`);
      if (s.latencySpikes > 0) kinds.push(`requests held ${LATENCY_SPIKE_MS} ms or more ${s.latencySpikes}`);
      if (s.restarts > 0) kinds.push(`restarts ${s.restarts}`);
      let extra = s.failingAppReported !== undefined ? `; the failing app's failure reported in ${s.failingAppReported} of ${s.runs} runs` : '';
      if (s.race) {
        extra +=
          `; second apply refused by the lock ${s.race.lockRefused} times, publishes stopped by the read before them ${s.race.stoppedByCheck}, ` +
          `duplicates reported by the applies ${s.race.reportedDuplicates}, runs where both applies exited 0 ${s.race.exitedZeroBoth}`;
      }
      return `${s.profile}: ${s.describe}. Injected: ${kinds.join(', ') || 'none'}${extra}.`;
    })
    .join('\n');
}
