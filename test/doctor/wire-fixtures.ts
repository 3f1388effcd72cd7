// Server answers for the doctor's tests, shaped as the README's assumptions
// describe them (the `full` shape), with one function per variation a real
// server may show instead.

export const SERVER = 'https://app.example';
export const APPS = '/appshub/.rest/v2';
export const WORKFLOWS = '/pseven/.rest/v2';
export const TOKEN = '7a592349be99d8affc6739c1ff8fec98030ff14f';
export const APP_ID = '130d943e100e46e0b5da490ac005b70e';

export type Json = Record<string, unknown>;

/** An app record as GET apps/{id}/ and the entries of apps/ carry it. */
export function fullApp(overrides: Json = {}): Json {
  return {
    id: APP_ID,
    name: 'Toy app',
    url: `${SERVER}${APPS}/apps/${APP_ID}@2/`,
    workspace: { id: '7', name: 'Toy apps' },
    description: 'A toy app.',
    allow_get_as_workflow: false,
    thumbnail: `${SERVER}${APPS}/apps/${APP_ID}/thumbnail/`,
    version: 2,
    revision: 0,
    state: 'READY',
    state_detail: null,
    workflow: { id: 'w1', name: 'ToyWorkflow', path: '/Users/1/ToyWorkflow.p7wf' },
    fingerprint: 'f'.repeat(64),
    versions: [
      { version: 1, revision: 0, state: 'READY' },
      { version: 2, revision: 0, state: 'READY' },
    ],
    ...overrides,
  };
}

/** GET apps/{id}@{v}/ */
export function fullVersion(version = 1, overrides: Json = {}): Json {
  return { ...fullApp(), url: `${SERVER}${APPS}/apps/${APP_ID}@${version}/`, version, ...overrides };
}

export function fullWorkflow(overrides: Json = {}): Json {
  return { id: 'w1', name: 'ToyWorkflow', path: '/Users/1/ToyWorkflow.p7wf', url: `${SERVER}${WORKFLOWS}/workflows/w1/`, fingerprint: 'e'.repeat(64), ...overrides };
}

/** The bytes of a 1x1 PNG. */
export const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
