// Shared setup for the AppsHub client tests: a client on virtual time (sleeps
// are recorded and advance the clock at once), the guide's example token and
// publish request. Free of nock, so socket tests can use it too.

import { createAppsHubClient, type AppsHubClient, type AppsHubClientOptions } from '../../src/appshub/client.js';
import type { AppsHubRequestInfo } from '../../src/appshub/http.js';
import type { PublishRequest } from '../../src/appshub/types.js';

export const SERVER = 'https://app.example';
export const APPS = '/appshub/.rest/v2';
export const WORKFLOWS = '/pseven/.rest/v2';
/** The guide's example token. */
export const TOKEN = '7a592349be99d8affc6739c1ff8fec98030ff14f';
export const APP_ID = '130d943e100e46e0b5da490ac005b70e';

/** The guide's publish example (its Python settings), without the thumbnail. */
export const GUIDE_PUBLISH_REQUEST: PublishRequest = {
  workspaceName: 'Toy apps',
  name: 'Toy app',
  workflowPath: '/Users/1/ToyWorkflow.p7wf',
  description: 'A toy app to try publishing via REST.',
  setVersionAsDefault: false,
  allowGetAsWorkflow: false,
};

/** The guide's curl -F fields for that example, in its order (its empty `version=` is left out). */
export const GUIDE_FORM_FIELDS: Array<[string, string]> = [
  ['workspace.name', 'Toy apps'],
  ['name', 'Toy app'],
  ['workflow_path', '/Users/1/ToyWorkflow.p7wf'],
  ['description', 'A toy app to try publishing via REST.'],
  ['set_version_as_default', 'False'],
  ['allow_get_as_workflow', 'False'],
];

export interface TestClient {
  client: AppsHubClient;
  /** Every wait the transport asked for, in order. */
  sleeps: number[];
  requests: AppsHubRequestInfo[];
  warnings: string[];
  clock: { now: number };
}

export function testClient(options: Partial<AppsHubClientOptions> = {}): TestClient {
  const sleeps: number[] = [];
  const requests: AppsHubRequestInfo[] = [];
  const warnings: string[] = [];
  const clock = { now: 1_700_000_000_000 };
  const client = createAppsHubClient({
    serverUrl: SERVER,
    token: TOKEN,
    now: () => clock.now,
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.now += ms;
    },
    onRequest: (info) => requests.push(info),
    onWarning: (message) => warnings.push(message),
    ...options,
  });
  return { client, sleeps, requests, warnings, clock };
}

export type Rejection = Error & { hint?: string } & Record<string, unknown>;

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Rejection> {
  try {
    await promise;
  } catch (err) {
    return err as Rejection;
  }
  throw new Error('expected the promise to reject');
}
