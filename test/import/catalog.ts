// A fixed catalog for the pure import tests: one of every case catalogToFiles
// decides about, built without a server.

import { UNKNOWN, type Maybe, type VersionRecord, type Workspace } from '../../src/appshub/types.js';
import type { CatalogApp, ServerCatalog } from '../../src/import/catalog.js';
import { pngBytes } from '../emulator/png.js';

export const STRUCTURES: Workspace = { id: '12', name: 'Structures' };
export const THERMAL: Workspace = { id: '5', name: 'Thermal design' };
const ARCHIVE_A: Workspace = { id: '20', name: 'Archive' };
const ARCHIVE_B: Workspace = { id: '21', name: 'Archive' };

export const PNG = pngBytes([10, 120, 200], 3);
export const SVG = new TextEncoder().encode('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>\n');
/** A PNG signature followed by padding: sniffed as PNG, one byte over the limit. */
export const HUGE_PNG = (() => {
  const bytes = new Uint8Array(1024 * 1024 + 1);
  bytes.set(pngBytes([0, 0, 0], 1));
  return bytes;
})();

export const LONG_DESCRIPTION = 'Sizes a beam.\n\nInputs: span, load, section.\r\nResults: utilisation and deflection.';
export const LONG_LINE = `Rates a shell-and-tube heat exchanger by the NTU method ${'and reports every intermediate result, '.repeat(3)}in one table.`;

export function version(appId: string, n: number, workflow: Maybe<string>, extra: Partial<VersionRecord> = {}): VersionRecord {
  return {
    appId,
    version: n,
    revision: 0,
    state: 'READY',
    stateDetail: null,
    workflowPath: workflow,
    workflowFingerprint: typeof workflow === 'string' ? `fp:${workflow}` : UNKNOWN,
    url: `https://pseven.example.com/appshub/.rest/v2/apps/${appId}@${n}/`,
    updated: '2024-05-01T10:00:00Z',
    ...extra,
  };
}

export function app(name: string, fields: Partial<CatalogApp> & { id?: string }): CatalogApp {
  const id = fields.id ?? name.toLowerCase().replace(/[^a-z0-9]/g, '');
  return {
    id,
    name,
    workspace: STRUCTURES,
    description: null,
    allowCopy: true,
    thumbnail: null,
    defaultVersion: 1,
    versions: [version(id, 1, `/Users/1/${id}.p7wf`)],
    versionsListed: true,
    ...fields,
  };
}

export const CATALOG: ServerCatalog = {
  serverUrl: 'https://pseven.example.com',
  workflows: {
    '/Users/1/Beam.p7wf': { id: 'w1', name: 'Beam', path: '/Users/1/Beam.p7wf', url: UNKNOWN, fingerprint: 'fp:/Users/1/Beam.p7wf' },
    '/Users/2/HeatExchanger.p7wf': { id: 'w2', name: 'HeatExchanger', path: '/Users/2/HeatExchanger.p7wf', url: UNKNOWN, fingerprint: 'edited since' },
  },
  apps: [
    app('Archived A', { workspace: ARCHIVE_A }),
    app('Archived B', { workspace: ARCHIVE_B }),
    app('Beam calculator', {
      id: 'beam',
      description: LONG_DESCRIPTION,
      allowCopy: false,
      thumbnail: { url: 'https://pseven.example.com/t/beam', bytes: PNG },
      defaultVersion: 2,
      versions: [
        version('beam', 1, '/Users/1/BeamLegacy.p7wf'),
        version('beam', 2, '/Users/1/Beam.p7wf'),
        version('beam', 3, '/Users/1/Beam (beta).p7wf', { state: 'FAILED', stateDetail: 'Broken.' }),
      ],
    }),
    app('Bad\u2028name', {}),
    app('Bolted joint', {
      id: 'bolted',
      description: 'Bolts.  \n',
      thumbnail: { url: 'https://pseven.example.com/t/bolted', bytes: new TextEncoder().encode('<html>not an image</html>') },
      defaultVersion: 2,
      versions: [version('bolted', 1, '/Users/1/Bolted.p7wf'), version('bolted', 2, UNKNOWN)],
    }),
    app('Heat exchanger', {
      id: 'heat',
      workspace: THERMAL,
      description: UNKNOWN,
      allowCopy: UNKNOWN,
      thumbnail: { url: 'https://pseven.example.com/t/heat', bytes: HUGE_PNG },
      versions: [version('heat', 1, '/Users/2/HeatExchanger.p7wf')],
    }),
    app('Heat-Exchanger', {
      id: 'heat2',
      workspace: THERMAL,
      description: LONG_LINE,
      thumbnail: { url: 'https://pseven.example.com/t/heat2', bytes: SVG },
      defaultVersion: UNKNOWN,
      versions: [version('heat2', 1, '/Users/2/HeatExchangerNtu.p7wf')],
    }),
    app('No versions', { versions: [version('nov', 1, UNKNOWN), version('nov', 2, 'Users/relative.p7wf')] }),
    app('Orphan', { workspace: UNKNOWN }),
    app('Partly listed', { defaultVersion: 4, versions: [version('partly', 4, '/Users/1/Partly.p7wf')], versionsListed: false }),
    app('Quoting: yes', {
      id: 'quoting',
      description: 'no',
      thumbnail: { url: 'https://pseven.example.com/t/quoting', problem: 'GET https://pseven.example.com/t/quoting answered 404 Not Found' },
      versions: [version('quoting', 1, '/Users/1/#1: "quoted" flow.p7wf')],
    }),
    app('Twice', { id: 'twice1' }),
    app('Twice', { id: 'twice2' }),
  ],
};
