// One executor run on virtual time against the fake AppsHub, with every event
// recorded: the setup the executor tests share.

import { applyPlan, type ApplyOptions } from '../../src/apply/execute.js';
import { recordEvents, type ApplyEvent } from '../../src/apply/events.js';
import type { Plan } from '../../src/plan/types.js';
import { FakeAppsHub } from './fake-api.js';
import { VirtualClock } from './virtual-clock.js';

export function setup() {
  const clock = new VirtualClock();
  const api = new FakeAppsHub(clock);
  const recorder = recordEvents();
  const run = (plan: Plan, options: Partial<ApplyOptions> = {}) =>
    applyPlan(plan, api, { parallelism: 10, timeoutMs: 15 * 60_000, hooks: recorder, clock, random: () => 0.5, ...options });
  const events = <T extends ApplyEvent['type']>(type: T) =>
    recorder.events.filter((e): e is Extract<ApplyEvent, { type: T }> => e.type === type);
  return { clock, api, recorder, run, events };
}
