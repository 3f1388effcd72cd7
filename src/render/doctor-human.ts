// The doctor report for a person at a terminal: the server's URLs, then
// sections for the connection, the lists, every wire assumption and what
// p7apps can verify there, the problems with their fixes, and one summary
// line. Marks as in the plan: `=` holds, `~` differs, `?` only a publish
// (or a run) would tell, `-` not seen, `!` a problem. Every line passes terminalLine.

import type { AuthFinding, CapabilityFinding, ListFinding, TlsFinding } from '../doctor/report.js';
import { summaryLine } from '../doctor/report.js';
import { fieldList, type AssumptionStatus } from '../appshub/assumptions.js';
import { plural } from '../plan/describe.js';
import { palette, terminalLine, type Palette } from './text.js';
import type { DoctorRenderer } from './types.js';

type Mark = '=' | '~' | '?' | '-' | '!';

/** A line of the report: its mark decides its colour. */
interface Line {
  mark?: Mark;
  text: string;
  /** Indented under the line before. */
  sub?: boolean;
}

const ASSUMPTION_MARK: Record<AssumptionStatus, Mark> = { holds: '=', differs: '~', 'needs-publish': '?', 'needs-run': '?', 'not-seen': '-' };
const ASSUMPTION_WORDS: Record<AssumptionStatus, string> = {
  holds: 'holds',
  differs: 'differs',
  'needs-publish': 'cannot be told without a publish',
  'needs-run': 'cannot be told without a run',
  'not-seen': 'not seen',
};
const CAPABILITY_MARK: Record<CapabilityFinding['status'], Mark> = { yes: '=', no: '~', 'needs-publish': '?', 'needs-run': '?', 'not-seen': '-' };
const CAPABILITY_WORDS: Record<CapabilityFinding['status'], string> = {
  yes: 'verifiable',
  no: 'NOT verifiable',
  'needs-publish': 'cannot be told without a publish',
  'needs-run': 'cannot be told without a run',
  'not-seen': 'not seen',
};

function tlsLine(tls: TlsFinding): Line {
  const ca = tls.caFile === undefined ? '' : ` (with the authorities in --ca-file ${tls.caFile})`;
  switch (tls.status) {
    case 'plain':
      return { mark: '=', text: 'TLS: none, plain http' };
    case 'verified':
      return { mark: '=', text: `TLS: https, certificate verified${ca}` };
    case 'not-verified':
      return { mark: '~', text: 'TLS: https, certificate NOT verified (--insecure)' };
    case 'failed':
      return { mark: '!', text: `TLS: failed: ${tls.detail ?? 'the handshake failed'}` };
    case 'not-checked':
      return { mark: '-', text: `TLS: ${tls.scheme === 'https' ? 'https, ' : ''}not checked (the server was not reached)` };
  }
}

function authLines(auth: AuthFinding): Line[] {
  const lines: Line[] = [];
  if (auth.withoutCredentials === 'refused') {
    lines.push({ mark: '=', text: `without credentials: refused${auth.withoutCredentialsStatus === undefined ? '' : ` (${auth.withoutCredentialsStatus})`}` });
  } else if (auth.withoutCredentials === 'allowed') {
    lines.push({ mark: '~', text: 'without credentials: answered (the catalog is readable by anyone who reaches the server)' });
  } else {
    lines.push({ mark: '-', text: 'without credentials: not checked' });
  }
  const how =
    auth.method === 'token' ? `token from ${auth.source ?? 'the environment'}` : auth.method === 'login' ? 'sign-in with P7APPS_USERNAME and P7APPS_PASSWORD (POST auth/login/)' : 'no credentials';
  const status: Record<AuthFinding['status'], [Mark, string]> = {
    accepted: ['=', 'accepted'],
    refused: ['!', 'REFUSED'],
    missing: ['!', 'missing'],
    'not-checked': ['-', 'not checked'],
  };
  const [mark, word] = status[auth.status];
  lines.push({ mark, text: `credentials: ${how}, ${word}` });
  if (auth.detail !== undefined && auth.status !== 'accepted') lines.push({ sub: true, text: auth.detail });
  return lines;
}

function listLines(list: ListFinding): Line[] {
  if (list.status === 'not-read') return [{ mark: '-', text: `${list.endpoint}: not read` }];
  const shape =
    list.shape === undefined ? '' : list.shape === 'array' ? 'a JSON array, ' : `${list.pages === 1 ? 'a DRF page' : `${list.pages} DRF pages`}, `;
  const entries = list.entries === undefined ? '' : plural(list.entries, 'entry', 'entries');
  const lines: Line[] = [];
  if (list.status === 'unreadable') {
    lines.push({ mark: '!', text: `${list.endpoint}: ${shape}${entries}${entries ? ', ' : ''}NOT readable by p7apps` });
    if (list.problem !== undefined) lines.push({ sub: true, text: list.problem });
  } else {
    lines.push({ mark: '=', text: `${list.endpoint}: ${shape}${entries}, read by p7apps` });
  }
  if (list.shortEntryFields !== undefined && list.shortEntryFields.length > 0) {
    lines.push({ sub: true, text: `entries are short: ${fieldList(list.shortEntryFields)} only in GET apps/{id}/` });
  }
  return lines;
}

function section(title: string, lines: Line[]): Line[] {
  return [{ text: '' }, { text: title }, ...lines];
}

export const renderDoctorHuman: DoctorRenderer = (report, out, options) => {
  const c = palette(options.color);
  const width = Math.max(...report.assumptions.map((a) => a.id.length));
  const lines: Line[] = [
    { text: `p7apps doctor for ${report.server.signInUrl}` },
    { sub: true, text: `app API:      ${report.server.appsBaseUrl}` },
    { sub: true, text: `workflow API: ${report.server.workflowsBaseUrl}` },
    ...section('Connection', [tlsLine(report.tls), ...authLines(report.auth)]),
    ...section('Lists', report.lists.flatMap(listLines)),
    ...section(
      'Assumptions about the wire',
      report.assumptions.flatMap((a) => {
        const handled = a.handledBy === undefined ? '' : `; p7apps reads it anyway (${a.handledBy.join(', ')})`;
        const head: Line = { mark: ASSUMPTION_MARK[a.status], text: `${a.id.padEnd(width)} ${a.title}: ${ASSUMPTION_WORDS[a.status]}${a.detail ? `: ${a.detail}` : ''}${handled}` };
        return options.verbose ? [head, { sub: true, text: `${' '.repeat(width - 1)}${a.meaning}` }] : [head];
      }),
    ),
    ...section(
      'What p7apps can verify here',
      report.capabilities.map((cap) => {
        const why = cap.status === 'no' || cap.status === 'not-seen' ? ` (${cap.because.join(', ')})` : '';
        return { mark: CAPABILITY_MARK[cap.status], text: `${cap.meaning}: ${CAPABILITY_WORDS[cap.status]}${why}` };
      }),
    ),
  ];
  if (report.problems.length > 0) {
    lines.push(...section('Problems', report.problems.flatMap((p): Line[] => [{ mark: '!', text: p.message }, ...(p.hint ? [{ sub: true, text: p.hint }] : [])])));
  }
  if (report.warnings.length > 0) lines.push(...section('Warnings', report.warnings.map((w): Line => ({ mark: '~', text: w }))));
  if (options.verbose) {
    lines.push(...section('Requests sent', report.requests.map((r): Line => ({ mark: '-', text: `${r.method} ${r.path} ${r.status ?? '(no answer)'}` }))));
  }
  lines.push({ text: '' }, { text: summaryLine(report) });
  out.write(`${lines.map((line) => show(line, c)).join('\n')}\n`);
};

/** One line for the terminal: coloured with the palette's marks, then escaped (terminalLine) before the marks become colours. */
function show(line: Line, c: Palette): string {
  const text = line.text;
  if (line.sub) return terminalLine(`    ${text}`);
  if (line.mark === undefined) return text === '' ? '' : terminalLine(c.bold(text));
  const colour = { '=': (t: string) => t, '~': c.changed, '?': c.dim, '-': c.dim, '!': c.conflict }[line.mark];
  return terminalLine(colour(`  ${line.mark} ${text}`));
}
