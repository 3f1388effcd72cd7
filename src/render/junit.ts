// What the JUnit XML reports (src/render/check-junit.ts, drift-junit.ts)
// share: the document's opening, a suite with its counts and the properties
// that say which server, config and environment it is about, and its close.
// CI dashboards read these reports without knowing anything about p7apps.

import { xmlText } from './escape.js';
import { environmentSuffix } from './text.js';

export interface JunitSuite {
  /** "p7apps check", "p7apps drift". */
  name: string;
  serverUrl: string;
  configPath: string;
  /** The config's environment, when the config declares environments. */
  environment?: string;
  /** The report's summary line. */
  summary: string;
  tests: number;
  failures: number;
  errors: number;
}

/** The lines before the first test case. */
export function junitOpening(suite: JunitSuite): string[] {
  const counts = `tests="${suite.tests}" failures="${suite.failures}" errors="${suite.errors}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlText(suite.name)}" ${counts}>`,
    `  <testsuite name="${xmlText(suite.name)}: ${xmlText(suite.serverUrl)}${xmlText(environmentSuffix(suite.environment))}" ${counts} skipped="0">`,
    '    <properties>',
    `      <property name="server" value="${xmlText(suite.serverUrl)}"/>`,
    `      <property name="config" value="${xmlText(suite.configPath)}"/>`,
    ...(suite.environment === undefined ? [] : [`      <property name="environment" value="${xmlText(suite.environment)}"/>`]),
    `      <property name="summary" value="${xmlText(suite.summary)}"/>`,
    '    </properties>',
  ];
}

export interface JunitCase {
  classname: string;
  name: string;
  /** A test that did not pass: as a `failure` (it ran and failed) or an `error` (it could not run). */
  outcome?: { element: 'failure' | 'error'; type: string; message: string; lines: readonly string[] };
  /** What a passing test has to say, as its standard output. */
  output?: readonly string[];
}

/** One test case's lines. */
export function junitCase(c: JunitCase): string[] {
  const lines = [`    <testcase classname="${xmlText(c.classname)}" name="${xmlText(c.name)}">`];
  if (c.outcome) {
    const { element, type, message } = c.outcome;
    lines.push(`      <${element} type="${xmlText(type)}" message="${xmlText(message)}">${xmlLines(c.outcome.lines)}</${element}>`);
  } else if (c.output) lines.push(`      <system-out>${xmlLines(c.output)}</system-out>`);
  lines.push('    </testcase>');
  return lines;
}

/** The lines after the last test case. */
export const JUNIT_CLOSING: readonly string[] = ['  </testsuite>', '</testsuites>'];

/** Lines of text in an element: each escaped on its own (a value cannot add a line), joined by newlines. */
export function xmlLines(lines: readonly string[]): string {
  return lines.map(xmlText).join('\n');
}
