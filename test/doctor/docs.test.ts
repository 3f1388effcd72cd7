// docs/doctor.md and the assumption registry say the same: its table of
// assumptions is the registry's, row for row, and it names every capability
// with the assumptions it rests on.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ASSUMPTIONS, CAPABILITIES } from '../../src/appshub/assumptions.js';

const doc = readFileSync('docs/doctor.md', 'utf8');

describe('docs/doctor.md', () => {
  it('lists every assumption of the registry, as the registry words it', () => {
    const rows = ASSUMPTIONS.map((a) => `| ${a.id} | ${a.title} | ${a.meaning} | ${a.affects.length > 0 ? a.affects.join(', ') : '(a rule for servers that differ)'} |`);
    expect(doc).toContain(['| id | assumption | what p7apps expects | without it, p7apps cannot verify |', '| --- | --- | --- | --- |', ...rows].join('\n'));
  });

  it.each(CAPABILITIES.filter((c) => c.name !== 'copy-permission'))('names the capability "$meaning" with what it rests on', ({ name, meaning }) => {
    const restsOn = ASSUMPTIONS.filter((a) => a.affects.includes(name)).map((a) => a.id);
    expect(doc).toContain(`| ${meaning} | ${restsOn.join(', ')} |`);
  });

  it('names the copy permission with what it rests on', () => {
    expect(doc).toContain("| an app's copy permission | A2 |");
  });

  it('uses relative links only', () => {
    for (const [, target] of doc.matchAll(/\]\(([^)]+)\)/g)) expect(target).toMatch(/^[\w-]+\.md(#[\w-]+)?$/);
  });
});
