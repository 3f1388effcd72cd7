// A realistic AppsHub catalog: five apps in three workspaces, eleven versions.
// Check it offline with `p7apps validate --config examples/catalog/p7apps.config.ts`.
//
// Anything left out is unmanaged: p7apps neither reports it as drift nor
// changes it. Thumbnails and description files are paths relative to this
// file and must stay inside this directory.

import { defineConfig } from 'p7apps';

export default defineConfig({
  server: { url: 'https://pseven.example.com' },

  // Every app inherits these unless it sets its own.
  defaults: {
    workspace: { name: 'Toy apps', id: '7' },
    allowCopy: false,
    thumbnail: 'thumbnails/p7apps.svg',
  },

  apps: [
    {
      name: 'Toy app',
      description: 'A toy app to try publishing via REST.',
      thumbnail: 'thumbnails/toy-app.png',
      versions: [{ version: 1, workflow: '/Users/1/ToyWorkflow.p7wf' }],
    },
    {
      name: 'Beam calculator',
      workspace: 'Structures',
      descriptionFile: 'apps/beam-calculator/APP.md',
      thumbnail: 'apps/beam-calculator/thumbnail.svg',
      versions: [
        { version: 1, workflow: '/Users/1/BeamCalculatorLegacy.p7wf' },
        { version: 2, workflow: '/Users/1/BeamCalculator.p7wf' },
      ],
      defaultVersion: 2,
    },
    {
      name: 'Bolted joint',
      workspace: 'Structures',
      descriptionFile: 'apps/bolted-joint/APP.md',
      versions: [
        { version: 1, workflow: '/Users/1/Joints/BoltedJoint.p7wf' },
        { version: 2, workflow: '/Users/1/Joints/BoltedJoint VDI 2230.p7wf' },
        { version: 3, workflow: '/Users/1/Joints/BoltedJoint VDI 2230 (beta).p7wf' },
      ],
      // Version 3 is published for testers; the default stays at 2.
      defaultVersion: 2,
    },
    {
      name: 'Heat exchanger',
      workspace: 'Thermal design',
      descriptionFile: 'apps/heat-exchanger/APP.md',
      thumbnail: 'apps/heat-exchanger/thumbnail.png',
      allowCopy: true,
      versions: [
        { version: 1, workflow: '/Users/2/HeatExchanger.p7wf' },
        { version: 2, workflow: '/Users/2/HeatExchanger NTU.p7wf' },
      ],
    },
    {
      name: 'Pipe pressure drop',
      workspace: 'Thermal design',
      descriptionFile: 'apps/pipe-pressure-drop/APP.md',
      versions: [
        { version: 1, workflow: '/Users/2/Piping/PressureDrop.p7wf' },
        { version: 2, workflow: '/Users/2/Piping/PressureDrop Colebrook.p7wf' },
        { version: 3, workflow: '/Users/2/Piping/PressureDrop Fittings.p7wf' },
      ],
      defaultVersion: 3,
    },
  ],
});
