// The desired state of the demo catalog (`npm run demo` applies it to the
// bundled emulator seeded from examples/demo/seed.yaml). A real catalog looks
// the same: see examples/catalog/ for a larger one.
import { defineConfig } from 'p7apps';

export default defineConfig({
  // server.url would go here; the demo passes P7APPS_URL instead.
  defaults: {
    workspace: 'Toy apps',
    allowCopy: false,
  },
  apps: [
    {
      name: 'Toy app',
      description: 'A toy app to try publishing via REST.',
      thumbnail: './examples/demo/toy-app/thumbnail.png',
      versions: [
        { version: 1, workflow: '/Users/1/ToyWorkflow.p7wf' },
        { version: 2, workflow: '/Users/1/AnotherToyWorkflow.p7wf' },
      ],
      defaultVersion: 1,
    },
    {
      name: 'Beam calculator',
      workspace: 'Structures',
      descriptionFile: './examples/demo/beam-calculator/APP.md',
      thumbnail: './examples/demo/beam-calculator/thumbnail.png',
      allowCopy: true,
      versions: [
        { version: 1, workflow: '/Users/1/BeamCalculator.p7wf' },
        { version: 2, workflow: '/Users/1/BeamCalculatorV2.p7wf' },
      ],
      defaultVersion: 2,
      // A run that must work before a version becomes default (docs/checks.md).
      checks: [
        {
          name: 'cantilever',
          parameters: { length: 4.0, load: 100 },
          expect: { deflection: { number: 0.1, tolerance: 0.001 }, stress: 3.0 },
          timeoutSeconds: 120,
        },
      ],
    },
  ],
});
