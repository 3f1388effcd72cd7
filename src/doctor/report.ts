// The doctor report: what a read-only probe found about one server, as a
// versioned JSON document (formatVersion 1; extended only by new optional
// fields), and the pure steps that turn findings into the summary and the
// verdict. No I/O here: ./probe.ts collects, the renderers in src/render/
// show.

import { plural } from '../plan/describe.js';
import { ASSUMPTIONS, CAPABILITIES, type AssumptionId, type AssumptionStatus, type Capability, type WireEvidence } from '../appshub/assumptions.js';

export const DOCTOR_FORMAT_VERSION = 1;

/** ok: p7apps works here as designed; limited: it works, but cannot verify everything; unusable: it cannot work here. */
export type DoctorVerdict = 'ok' | 'limited' | 'unusable';

export interface TlsFinding {
  scheme: 'https' | 'http';
  /**
   * verified: the certificate was checked and trusted; not-verified: --insecure;
   * failed: the TLS handshake failed; plain: no TLS; not-checked: the server was not reached.
   */
  status: 'verified' | 'not-verified' | 'failed' | 'plain' | 'not-checked';
  /** The extra certificate authorities given with --ca-file. */
  caFile?: string;
  detail?: string;
}

export interface AuthFinding {
  /** token: from the environment; login: a username and password exchanged through POST auth/login/; none: no credentials found. */
  method: 'token' | 'login' | 'none';
  /** Where the token came from. */
  source?: string;
  /** Whether the server refuses the app API to a caller without credentials (as it should). */
  withoutCredentials: 'refused' | 'allowed' | 'not-checked';
  /** The status the anonymous request was refused with. */
  withoutCredentialsStatus?: number;
  /** Whether the credentials were accepted. */
  status: 'accepted' | 'refused' | 'missing' | 'not-checked';
  detail?: string;
}

export interface ListFinding {
  endpoint: 'apps/' | 'workflows/';
  /** read: p7apps read every entry; unreadable: the answer or an entry is not what p7apps can read; not-read: not asked (an earlier step failed). */
  status: 'read' | 'unreadable' | 'not-read';
  /** A bare JSON array, or a Django REST framework page. */
  shape?: 'array' | 'page';
  pages?: number;
  entries?: number;
  /** Fields the one app's details carry that its list entry lacks (apps/ only). */
  shortEntryFields?: string[];
  /** Why the list is unreadable. */
  problem?: string;
}

export interface AssumptionFinding {
  id: AssumptionId;
  title: string;
  meaning: string;
  status: AssumptionStatus;
  detail?: string;
  /** A difference p7apps reads anyway, by these rules (A15-A19, A23): nothing it rests on is lost. */
  handledBy?: AssumptionId[];
  /** Where a difference takes away only some of what the assumption affects: those. */
  loses?: Capability[];
}

export interface CapabilityFinding {
  name: Capability;
  meaning: string;
  /**
   * yes: p7apps verifies it here; no: an assumption it rests on differs;
   * not-seen: nothing the probe read shows it; needs-publish: only a publish would tell;
   * needs-run: only deploying a run would tell.
   */
  status: 'yes' | 'no' | 'not-seen' | 'needs-publish' | 'needs-run';
  /** The assumptions that decide it (those that differ, when no). */
  because: AssumptionId[];
}

/** One request the probe sent (never a publish). */
export interface ProbeRequest {
  method: 'GET' | 'POST';
  /** Relative to its API base (`apps/`), or origin and path. */
  path: string;
  /** Undefined when no answer came. */
  status?: number;
}

/** A reason p7apps cannot work with the server, and what to do about it. */
export interface DoctorProblem {
  message: string;
  hint?: string;
}

export interface DoctorReport {
  formatVersion: typeof DOCTOR_FORMAT_VERSION;
  server: {
    /** The sign-in URL. */
    signInUrl: string;
    /** `{S}/appshub/.rest/v2/` */
    appsBaseUrl: string;
    /** `{S}/pseven/.rest/v2/` */
    workflowsBaseUrl: string;
  };
  verdict: DoctorVerdict;
  tls: TlsFinding;
  auth: AuthFinding;
  lists: ListFinding[];
  assumptions: AssumptionFinding[];
  capabilities: CapabilityFinding[];
  /** Why p7apps cannot work here (verdict unusable). */
  problems: DoctorProblem[];
  /** Not fatal, worth knowing: plain http, --insecure, anonymous access. */
  warnings: string[];
  requests: ProbeRequest[];
}

/** Every assumption's verdict over the evidence, in registry order. */
export function assumptionFindings(evidence: WireEvidence): AssumptionFinding[] {
  return ASSUMPTIONS.map((a) => {
    const verdict = a.check(evidence);
    const finding: AssumptionFinding = { id: a.id, title: a.title, meaning: a.meaning, status: verdict.status };
    if (verdict.detail !== undefined) finding.detail = verdict.detail;
    if (verdict.handledBy !== undefined) finding.handledBy = verdict.handledBy;
    if (verdict.loses !== undefined) finding.loses = verdict.loses;
    return finding;
  });
}

/** What p7apps can verify: a capability is lost when one of its assumptions differs in a way p7apps cannot read. */
export function capabilityFindings(assumptions: AssumptionFinding[]): CapabilityFinding[] {
  return CAPABILITIES.map(({ name, meaning }) => {
    const deciding = assumptions.filter((a) => ASSUMPTIONS.find((x) => x.id === a.id)?.affects.includes(name));
    const differing = deciding.filter((a) => a.status === 'differs' && a.handledBy === undefined && (a.loses ?? [name]).includes(name));
    const ids = (list: AssumptionFinding[]) => list.map((a) => a.id);
    if (differing.length > 0) return { name, meaning, status: 'no', because: ids(differing) };
    const unseen = deciding.filter((a) => a.status === 'not-seen');
    if (unseen.length > 0) return { name, meaning, status: 'not-seen', because: ids(unseen) };
    if (deciding.some((a) => a.status === 'needs-publish')) return { name, meaning, status: 'needs-publish', because: ids(deciding) };
    if (deciding.some((a) => a.status === 'needs-run')) return { name, meaning, status: 'needs-run', because: ids(deciding) };
    return { name, meaning, status: 'yes', because: ids(deciding) };
  });
}

/** Unusable with a problem; limited when something p7apps verifies elsewhere cannot be verified here. */
export function verdictOf(problems: DoctorProblem[], capabilities: CapabilityFinding[]): DoctorVerdict {
  if (problems.length > 0) return 'unusable';
  return capabilities.some((c) => c.status === 'no') ? 'limited' : 'ok';
}

/** The one-line summary under a report. */
export function summaryLine(report: DoctorReport): string {
  if (report.verdict === 'unusable') return `p7apps cannot work with this server: ${plural(report.problems.length, 'problem')}.`;
  const lost = report.capabilities.filter((c) => c.status === 'no');
  if (report.verdict === 'limited') {
    const ids = [...new Set(lost.flatMap((c) => c.because))];
    return `p7apps works with this server, with limits: it cannot verify ${lost.map((c) => c.name).join(', ')} (${ids.join(', ')}).`;
  }
  const handled = report.assumptions.filter((a) => a.status === 'differs').length;
  if (handled > 0) return `p7apps works with this server: it reads the ${plural(handled, 'difference')} above by its rules for servers that differ.`;
  return 'p7apps works with this server: every assumption it could check holds.';
}
