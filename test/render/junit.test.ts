// The opening and close every JUnit report shares (src/render/junit.ts): the
// counts on both the suites and the suite, the properties naming server,
// config and environment, every value escaped; and the check and drift
// reports both open that way, so a dashboard reads them alike.

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { computeDrift } from '../../src/plan/drift.js';
import { renderCheckJunit } from '../../src/render/check-junit.js';
import { renderDriftJunit } from '../../src/render/drift-junit.js';
import { JUNIT_CLOSING, junitOpening, xmlLines } from '../../src/render/junit.js';
import { renderToString } from '../../src/render/text.js';
import { richPlan } from '../plan/rich-plan.js';

const suite = { name: 'p7apps drift', serverUrl: 'https://pseven.example.com', configPath: '/repo/p7apps.config.ts', summary: 'Drift: 1 app', tests: 3, failures: 1, errors: 0 };
const parse = (xml: string) => new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml);
const properties = (xml: string) => {
  const listed = parse(xml).testsuites.testsuite.properties.property as Array<{ name: string; value: string }>;
  return Object.fromEntries((Array.isArray(listed) ? listed : [listed]).map((p) => [p.name, p.value]));
};

describe('junitOpening', () => {
  it.each([
    ['without an environment', {}, { server: suite.serverUrl, config: suite.configPath, summary: suite.summary }, 'p7apps drift: https://pseven.example.com'],
    ['with one', { environment: 'staging' }, { server: suite.serverUrl, config: suite.configPath, environment: 'staging', summary: suite.summary }, 'p7apps drift: https://pseven.example.com (environment staging)'],
  ])('%s: counts, suite name and properties', (_name, extra, expected, suiteName) => {
    const xml = [...junitOpening({ ...suite, ...extra }), ...JUNIT_CLOSING].join('\n');
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = parse(xml);
    expect(doc.testsuites).toMatchObject({ name: 'p7apps drift', tests: '3', failures: '1', errors: '0' });
    expect(doc.testsuites.testsuite).toMatchObject({ name: suiteName, tests: '3', failures: '1', errors: '0', skipped: '0' });
    expect(properties(xml)).toEqual(expected);
  });

  it('escapes every value, one line at a time', () => {
    const xml = [...junitOpening({ ...suite, configPath: '/repo/a"<b>&.ts', environment: 'x"y' }), ...JUNIT_CLOSING].join('\n');
    expect(XMLValidator.validate(xml)).toBe(true);
    // Read back as written.
    expect(properties(xml)).toMatchObject({ config: '/repo/a"<b>&.ts', environment: 'x"y' });
    expect(xmlLines(['a<b', 'c&d'])).toBe('a&lt;b\nc&amp;d');
  });
});

describe('the check and drift JUnit reports', () => {
  it('open with the same suite and properties and close alike', () => {
    const drift = renderToString((out) => renderDriftJunit(computeDrift(richPlan()), out, { color: false, verbose: false }));
    const check = renderToString((out) =>
      renderCheckJunit(
        {
          formatVersion: 1,
          serverUrl: 'https://pseven.example.com',
          configPath: '/repo/p7apps.config.ts',
          version: null,
          interrupted: false,
          apps: [{ app: 'Square', appId: 'a1', version: 1, status: 'could-not-run', detail: 'the app is not on the server', checks: [] }],
          summary: { apps: 1, passed: 0, failed: 0, couldNotRun: 1, checks: 0, runsLeft: 0 },
        },
        out,
        { color: false, verbose: false },
      ),
    );
    for (const [xml, name] of [
      [drift, 'p7apps drift'],
      [check, 'p7apps check'],
    ] as const) {
      expect(XMLValidator.validate(xml)).toBe(true);
      expect(xml.split('\n').slice(0, 2)).toEqual(['<?xml version="1.0" encoding="UTF-8"?>', expect.stringMatching(new RegExp(`^<testsuites name="${name}" tests="\\d+" failures="\\d+" errors="\\d+">$`))]);
      expect(Object.keys(properties(xml))).toEqual(['server', 'config', 'summary']);
      expect(xml.trimEnd().split('\n').slice(-2)).toEqual([...JUNIT_CLOSING]);
    }
  });
});
