// What the planner gets: defaults inherited, files read, paths absolute,
// apps by name and versions by number, and nothing the config left out.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DesiredState } from '../../src/config/desired.js';
import { loadConfig } from '../../src/config/load.js';
import { makeProject } from './project.js';

const ICON = readFileSync(path.join(import.meta.dirname, '../fixtures/config/images/icon.png'));
const LOGO = readFileSync(path.join(import.meta.dirname, '../fixtures/config/images/icon.svg'));
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('resolving a config', () => {
  it('inherits defaults, reads files and sorts, leaving unset fields out', async () => {
    const root = await makeProject({
      'p7apps.config.yaml': [
        'server: { url: "https://pseven.example.com/" }',
        'defaults:',
        '  workspace: { name: Toy apps, id: "7" }',
        '  allowCopy: false',
        '  thumbnail: art/logo.svg',
        'apps:',
        '  - name: Zeta',
        '    versions:',
        '      - { version: 3, workflow: /Users/1/Z3.p7wf }',
        '      - { version: 1, workflow: /Users/1/Z1.p7wf }',
        '    defaultVersion: 3',
        '  - name: Alpha',
        '    workspace: Structures',
        '    allowCopy: true',
        '    thumbnail: art/icon.png',
        '    descriptionFile: docs/ALPHA.md',
        '    versions: [{ version: 1, workflow: /Users/1/A.p7wf }]',
        '  - name: Mid',
        '    workspace: { id: "12" }',
        '    description: Inline.',
        '    versions: [{ version: 2, workflow: /Users/2/M.p7wf }]',
        '',
      ].join('\n'),
      'art/logo.svg': LOGO,
      'art/icon.png': ICON,
      'docs/ALPHA.md': 'Alpha does things.\n',
    });
    const real = await realpath(root);
    const logo = { path: path.join(real, 'art/logo.svg'), filename: 'logo.svg', mediaType: 'image/svg+xml', sha256: sha256(LOGO), declaredAs: 'art/logo.svg', size: LOGO.length };
    const expected: DesiredState = {
      configPath: path.join(root, 'p7apps.config.yaml'),
      serverUrl: 'https://pseven.example.com/',
      apps: [
        {
          name: 'Alpha',
          workspace: { name: 'Structures' },
          description: 'Alpha does things.',
          descriptionFile: path.join(root, 'docs/ALPHA.md'),
          thumbnail: { path: path.join(real, 'art/icon.png'), filename: 'icon.png', mediaType: 'image/png', sha256: sha256(ICON), declaredAs: 'art/icon.png', size: ICON.length },
          allowCopy: true,
          versions: [{ version: 1, workflow: '/Users/1/A.p7wf' }],
        },
        { name: 'Mid', workspace: { id: '12' }, description: 'Inline.', thumbnail: logo, allowCopy: false, versions: [{ version: 2, workflow: '/Users/2/M.p7wf' }] },
        {
          name: 'Zeta',
          workspace: { name: 'Toy apps', id: '7' },
          thumbnail: logo,
          allowCopy: false,
          versions: [
            { version: 1, workflow: '/Users/1/Z1.p7wf' },
            { version: 3, workflow: '/Users/1/Z3.p7wf' },
          ],
          defaultVersion: 3,
        },
      ],
    };
    expect(await loadConfig({ cwd: root })).toStrictEqual(expected);
  });

  it('leaves unmanaged what neither the app nor the defaults set', async () => {
    const root = await makeProject({ 'p7apps.config.json': JSON.stringify({ apps: [{ name: 'Bare', workspace: 'W', versions: [{ version: 4, workflow: '/Users/1/B.p7wf' }] }] }) });
    expect(await loadConfig({ cwd: root })).toStrictEqual({
      configPath: path.join(root, 'p7apps.config.json'),
      apps: [{ name: 'Bare', workspace: { name: 'W' }, versions: [{ version: 4, workflow: '/Users/1/B.p7wf' }] }],
    });
  });

  it('an empty catalog is valid', async () => {
    const root = await makeProject({ 'p7apps.config.json': '{"apps": []}' });
    expect((await loadConfig({ cwd: root })).apps).toEqual([]);
  });
});
