// One plan with every kind of entry the renderers and the saved document must
// handle: a new app with three versions and a non-latest default, an update
// for a changed workflow, a settings-only change, a default change, conflicts,
// notes for fields the server did not report, and unmanaged apps and versions.

import { UNKNOWN, unreadable } from '../../src/appshub/types.js';
import { computePlan } from '../../src/plan/compute.js';
import type { Plan } from '../../src/plan/types.js';
import { desiredApp, desiredState, desiredThumbnail, observedApp, observedState } from './builders.js';

export function richPlan(): Plan {
  const desired = desiredState(
    desiredApp('Beam Designer', { 1: 'Beam', 2: 'Beam2', 3: 'Beam3' }, {
      defaultVersion: 2,
      description: 'Sizes steel beams\nfor given loads.\n',
      allowCopy: false,
      thumbnail: desiredThumbnail('b'),
    }),
    desiredApp('Gearbox', { 1: 'Gear', 2: 'Gear2' }, { defaultVersion: 2, description: 'Designs two-stage gearboxes.\nRatios from 3 to 12.\nSteel only.\n' }),
    desiredApp('Heat Sink', { 1: 'A' }, { description: 'Estimates fin temperatures quickly.', allowCopy: true }),
    desiredApp('Mixer', { 1: 'B', 2: 'C' }, { defaultVersion: 2 }),
    desiredApp('Pump', { 1: 'D' }, { workspace: { name: 'Fluids' } }),
    desiredApp('Spring', { 1: 'E', 3: 'New' }),
    desiredApp('Valve', { 1: 'Old' }, { description: 'Valve sizing.', thumbnail: desiredThumbnail('v') }),
    desiredApp('Welds', { 1: 'C' }),
  );
  const observed = observedState([
    observedApp('Gearbox', { 1: 'Gear', 2: { workflow: 'Gear2', revision: 2, fingerprint: 'fp-before-edit' }, 3: 'A' }, { defaultVersion: 2, description: 'Designs two-stage gearboxes.\r\nRatios from 3 to 10.\r\nSteel only.\r\n' }),
    observedApp('Heat Sink', { 1: { workflow: 'A', revision: 1 } }, { description: 'Estimates fin temperatures.', allowCopy: false }),
    observedApp('Mixer', { 1: 'B', 2: { workflow: 'C', revision: 0 } }, { defaultVersion: 1 }),
    observedApp('Pump', { 1: 'D' }, { workspace: { id: '7', name: 'Engineering' } }),
    observedApp('Spring', { 1: 'E' }),
    observedApp('Valve', { 1: { workflow: 'Old', fingerprint: UNKNOWN } }, { description: UNKNOWN, thumbnail: { url: 'https://pseven.example.com/media/valve.png', sha256: UNKNOWN } }),
    observedApp('Welds', { 1: 'C' }),
    observedApp('Legacy Calculator', { 1: 'A', 2: 'B' }, { workspace: { id: '9', name: 'Archive' } }),
    observedApp('Scratch', { 1: 'A' }),
  ]);
  return computePlan(desired, observed);
}

/**
 * A plan against a server that shows little: settings it does not report
 * (one sent with a publish planned for a new version, one not), a field it
 * reported in a shape p7apps cannot read (with hostile text in it), and a new
 * app whose workspace no app shows.
 */
export function unverifiedPlan(): Plan {
  const desired = desiredState(
    desiredApp('Beam Designer', { 1: 'Beam', 2: 'Beam2' }, { description: 'Sizes steel beams.', allowCopy: false }),
    desiredApp('Gearbox', { 1: 'Gear' }, { description: 'Designs gearboxes.', thumbnail: desiredThumbnail('g') }),
    desiredApp('Pump', { 1: 'D' }, { workspace: { name: 'Fluids', id: '12' } }),
  );
  const observed = observedState([
    observedApp('Beam Designer', { 1: { workflow: 'Beam', fingerprint: UNKNOWN } }, { description: UNKNOWN, allowCopy: UNKNOWN }),
    observedApp('Gearbox', { 1: { workflow: 'Gear', fingerprint: UNKNOWN } }, { description: unreadable('{"text": "\u001b[2Jgone\u202e"}'), thumbnail: UNKNOWN }),
  ]);
  return computePlan(desired, observed);
}

/**
 * A plan the guard stops: all 7 existing apps get a new revision (more than
 * 30% and more than 5), and protected apps are changed three ways, while one
 * protected app only gains a version that does not become the default.
 */
export function guardedPlan(): Plan {
  const names = ['Anvil', 'Bolt', 'Crane', 'Drill', 'Easel', 'Forge', 'Gauge'];
  const desired = desiredState(
    ...names.map((name) => desiredApp(name, { 1: 'A' }, name === 'Crane' ? { protect: true } : {})),
    desiredApp('Hoist', { 1: 'A', 2: 'B' }, { protect: true }),
    desiredApp('Jack', { 1: 'A', 2: 'B' }, { protect: true, defaultVersion: 2 }),
    desiredApp('Kiln', { 1: 'A', 2: 'C' }, { protect: true, description: 'Fires clay.' }),
  );
  const observed = observedState([
    ...names.map((name) => observedApp(name, { 1: { workflow: 'A', fingerprint: 'edited in Studio' } })),
    observedApp('Hoist', { 1: 'A' }),
    observedApp('Jack', { 1: 'A' }),
    observedApp('Kiln', { 1: 'A' }, { description: 'Fires pots.' }),
  ]);
  return computePlan(desired, observed);
}
