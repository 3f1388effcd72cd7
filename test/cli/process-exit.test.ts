// How the process ends once a command has finished (src/cli/process-exit.ts),
// against stand-ins and a hand-driven clock: the ordinary exit when no config
// thread is left or the last one ends in time, the exit that waits for no
// thread when one is stuck; and the WebAssembly module that exit runs, with
// a stand-in for WASI's proc_exit. The real process is in
// test/config/config-limits.test.ts ("a config stuck in a system call").

import { describe, expect, it } from 'vitest';
import { endProcess, procExitModule, THREAD_STOP_GRACE_MS, wasm } from '../../src/cli/process-exit.js';

function setup(threads: 'none' | 'ending' | 'stuck') {
  const exits: string[] = [];
  const timers: { run: () => void; ms: number }[] = [];
  let endThreads = () => {};
  const ended = new Promise<void>((resolve) => (endThreads = resolve));
  endProcess(7, {
    threadsAlive: () => threads !== 'none',
    threadsEnded: () => ended,
    exit: (code) => exits.push(`exit ${code}`),
    exitAtOnce: (code) => exits.push(`at once ${code}`),
    setTimer: (run, ms) => timers.push({ run, ms }),
  });
  return { exits, timers, endThreads };
}

describe('ending the process', () => {
  it('no config thread left: the ordinary exit, at once', () => {
    const { exits, timers } = setup('none');
    expect(exits).toEqual(['exit 7']);
    expect(timers).toEqual([]);
  });

  it('a config thread that ends within the grace: the ordinary exit once it has ended, and only that', async () => {
    const { exits, timers, endThreads } = setup('ending');
    expect(exits).toEqual([]);
    endThreads();
    await Promise.resolve();
    await Promise.resolve();
    expect(exits).toEqual(['exit 7']);
    timers[0]!.run();
    expect(exits).toEqual(['exit 7']);
  });

  it('a config thread stuck in a system call: the exit that waits for no thread, after the grace', async () => {
    const { exits, timers, endThreads } = setup('stuck');
    expect(timers.map((timer) => timer.ms)).toEqual([THREAD_STOP_GRACE_MS]);
    timers[0]!.run();
    expect(exits).toEqual(['at once 7']);
    endThreads();
    await Promise.resolve();
    await Promise.resolve();
    expect(exits).toEqual(['at once 7']);
  });
});

describe('the module that calls proc_exit', () => {
  it.each([0, 1, 2, 63, 64, 127, 128, 130, 143, 255])('exit code %i', (code) => {
    const calls: number[] = [];
    const imports = { wasi_snapshot_preview1: { proc_exit: (exitCode: number) => void calls.push(exitCode) } };
    const instance = new wasm.Instance(new wasm.Module(procExitModule(code)), imports);
    expect(instance.exports.memory).toBeInstanceOf(wasm.Memory);
    (instance.exports._start as () => void)();
    expect(calls).toEqual([code]);
  });

  it.each([-1, 256, 1.5])('refuses %s, which is no exit code', (code) => {
    expect(() => procExitModule(code)).toThrow(RangeError);
  });
});
