// The process-level guard (src/cli/signals.ts) against a stand-in process
// and a hand-driven clock: what the first and second signal do, the
// watchdog, and an event loop that empties before the command finished.

import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { guardProcess, STOP_GRACE_MS, type GuardedProcess } from '../../src/cli/signals.js';

class FakeProcess extends EventEmitter implements GuardedProcess {
  readonly pid = 4242;
  exitCode: number | undefined;
  readonly exits: number[] = [];
  readonly kills: string[] = [];
  exit(code: number): void {
    this.exits.push(code);
  }
  kill(pid: number, signal: string): void {
    this.kills.push(`${pid} ${signal}`);
  }
  // The guard's listeners take what the real process passes; an EventEmitter's take anything.
  override on(event: string, listener: (...args: never[]) => void): this {
    return super.on(event, listener as (...args: unknown[]) => void);
  }
  override off(event: string, listener: (...args: never[]) => void): this {
    return super.off(event, listener as (...args: unknown[]) => void);
  }
}

function setup(options: { exitMayHang?: boolean } = {}) {
  const proc = new FakeProcess();
  const timers: { run: () => void; ms: number; cleared: boolean; unrefd: boolean; unref: () => void }[] = [];
  let stderr = '';
  const stops: string[] = [];
  const guard = guardProcess({
    command: '"plan"',
    stderr: { write: (text: string) => ((stderr += text), true) } as never,
    onStop: (signal) => stops.push(signal),
    process: proc,
    exitMayHang: () => options.exitMayHang === true,
    setTimer: (run, ms) => {
      const timer = { run, ms, cleared: false, unrefd: false, unref: () => void (timer.unrefd = true) };
      timers.push(timer);
      return timer;
    },
    clearTimer: (handle) => {
      (handle as (typeof timers)[number]).cleared = true;
    },
  });
  return { proc, timers, stops, guard, stderr: () => stderr };
}

describe('the first signal', () => {
  it('announces itself where a live progress view asks, not on stderr, and on stderr again once given back', () => {
    const { proc, guard, stderr } = setup();
    const said: string[] = [];
    guard.announceTo((text) => said.push(text));
    proc.emit('SIGINT', 'SIGINT');
    expect(said).toEqual(['SIGINT received: finishing requests already in flight. Press Ctrl-C again to stop at once.']);
    expect(stderr()).toBe('');

    const other = setup();
    other.guard.announceTo((text) => said.push(text));
    other.guard.announceTo(undefined);
    other.proc.emit('SIGTERM', 'SIGTERM');
    expect(other.stderr()).toContain('SIGTERM received: finishing requests already in flight');
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s starts an orderly stop, arms a watchdog, and an interrupted command exits with %i', (signal, code) => {
    const { proc, timers, stops, guard, stderr } = setup();
    proc.emit(signal, signal);
    expect(stops).toEqual([signal]);
    expect(stderr()).toContain(`${signal} received: finishing requests already in flight`);
    expect(proc.exits).toEqual([]);
    expect(timers).toMatchObject([{ ms: STOP_GRACE_MS, unrefd: true }]);
    expect(guard.received).toBe(signal);
    expect(guard.exitCode(130)).toBe(code);
    // A command that finished anyway keeps its own result.
    expect(guard.exitCode(0)).toBe(0);
  });

  it('leaves the exit code alone when no signal came', () => {
    const { guard } = setup();
    expect(guard.exitCode(130)).toBe(130);
    expect(guard.exitCode(2)).toBe(2);
  });
});

describe('the watchdog', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('ends the process by %s when the orderly stop takes too long', (signal, code) => {
    const { proc, timers, stderr } = setup();
    proc.emit(signal, signal);
    timers[0]!.run();
    expect(stderr()).toContain(`p7apps did not stop within 10 s of ${signal}; stopping now.`);
    // By the signal itself (no listener is left, so its default action ends the process), then by exit code.
    expect(proc.listenerCount(signal)).toBe(0);
    expect(proc.kills).toEqual([`4242 ${signal}`]);
    expect(proc.exits).toEqual([code]);
  });

  it('is cleared when the command finishes', () => {
    const { proc, timers, guard } = setup();
    proc.emit('SIGINT', 'SIGINT');
    guard.dispose();
    expect(timers[0]!.cleared).toBe(true);
    expect(proc.listenerCount('SIGINT') + proc.listenerCount('SIGTERM') + proc.listenerCount('beforeExit')).toBe(0);
  });
});

describe('a second signal', () => {
  it.each([
    [false, []],
    [true, ['4242 SIGINT']],
  ])('exits at once (a thread that may block the exit: %s)', (exitMayHang, kills) => {
    const { proc, stops, stderr } = setup({ exitMayHang });
    proc.emit('SIGTERM', 'SIGTERM');
    proc.emit('SIGINT', 'SIGINT');
    expect(stops).toEqual(['SIGTERM']);
    expect(stderr()).toContain('SIGINT received again: stopping at once.');
    expect(proc.kills).toEqual(kills);
    expect(proc.exits).toEqual([130]);
  });
});

describe('an event loop that empties before the command finished', () => {
  it.each([
    ['no signal', undefined, 1],
    ['after SIGTERM', 'SIGTERM', 143],
  ] as const)('ends with an error, never 0 (%s)', (_name, signal, code) => {
    const { proc, stderr } = setup();
    if (signal) proc.emit(signal, signal);
    proc.emit('beforeExit', 0);
    expect(proc.exitCode).toBe(code);
    expect(stderr()).toContain('Error: p7apps stopped before "plan" finished: nothing was left running that could finish it; this is a bug in p7apps or a config that never settles.');
  });

  it('says nothing once the command has finished', () => {
    const { proc, guard, stderr } = setup();
    guard.dispose();
    proc.emit('beforeExit', 0);
    expect(proc.exitCode).toBeUndefined();
    expect(stderr()).toBe('');
  });
});
