// The world the emulator serves without --seed: the one the vendor's REST API
// guide assumes in its examples, so they work against the emulator as written.
// examples/seeds/guide.json spells out the same world as a seed file.

import type { SeedDocument } from './seed.js';

export const GUIDE_USERNAME = 'user@work.org';
export const GUIDE_PASSWORD = 'secret';

export const GUIDE_SEED: SeedDocument = {
  users: [{ username: GUIDE_USERNAME, password: GUIDE_PASSWORD }],
  workspaces: [{ id: '7', name: 'Toy apps', publishers: [GUIDE_USERNAME] }],
  workflows: [
    {
      id: '130d943e100e46e0b5da490ac005b70e',
      name: 'ToyWorkflow',
      path: '/Users/1/ToyWorkflow.p7wf',
      content: 'ToyWorkflow as first saved',
      // The parameters and results the guide's run examples show.
      run: {
        parameters: [
          { name: 'MyFirstParameter', default: 'string_value', labels: { type: 'string' }, result: true },
          { name: 'MySecondParameter', default: 42, labels: { type: 'integer, real, string' }, result: true },
          { name: 'MySecret', default: null, labels: { note: 'the real value is a secret' }, secret: true },
        ],
        results: [
          { name: 'MyResult', default: 99, labels: { type: 'integer' } },
          { name: 'MyAdditionalResult', default: 'no_comments', labels: { type: 'string' } },
        ],
      },
    },
    {
      id: 'a5017c372a76421a8ba41f91788f1b60',
      name: 'AnotherToyWorkflow',
      path: '/Users/1/AnotherToyWorkflow.p7wf',
      content: 'AnotherToyWorkflow as first saved',
    },
  ],
  apps: [],
};
