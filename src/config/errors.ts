// What a broken config looks like to the user: a list of problems, each
// naming the file and the place inside it, reported all at once so that one
// run of `p7apps validate` shows everything there is to fix.

import { P7appsError } from '../errors.js';
import { escapeUnsafe } from '../render/escape.js';

export interface ConfigIssue {
  /** The config file (or directory searched), relative to the working directory when inside it. */
  file: string;
  /** Where in the file, e.g. `apps["Toy app"].versions[1].workflow`; empty for the file as a whole. */
  path: string;
  message: string;
  /** Set for syntax errors, where a path inside the file does not exist yet. */
  line?: number;
  column?: number;
  /** The environments whose merged config has the problem, when it is not written in an environment itself (its path then names it). */
  environments?: string[];
}

/**
 * One issue on one line: its parts come from outside (a file name, an import
 * specifier, a parser's message quoting the file), and a line break in them
 * must not start a line of output that looks like p7apps' own.
 */
export function formatConfigIssue(issue: ConfigIssue): string {
  const position = issue.line === undefined ? '' : `:${issue.line}${issue.column === undefined ? '' : `:${issue.column}`}`;
  const environments = issue.environments === undefined || issue.environments.length === 0 ? '' : ` (in environment${issue.environments.length === 1 ? '' : 's'} ${issue.environments.join(', ')})`;
  return escapeUnsafe(`${issue.file}${position}: ${issue.path ? `${issue.path}: ` : ''}${issue.message}${environments}`);
}

export class ConfigError extends P7appsError {
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[], options?: { hint?: string; cause?: unknown }) {
    // One issue per line, each escaped on its own (formatConfigIssue).
    super(describeIssues(issues), { ...options, multiline: true });
    this.issues = issues;
  }
}

function describeIssues(issues: ConfigIssue[]): string {
  if (issues.length === 1) return formatConfigIssue(issues[0]!);
  return `the config has ${issues.length} problems:\n${issues.map((issue) => `  ${formatConfigIssue(issue)}`).join('\n')}`;
}
