// Virtual time for executor tests: sleep() registers a timer, and time jumps
// to the earliest timer once every other piece of work is blocked (the fake
// API resolves through microtasks only, so after a macrotask turn nothing but
// timers can be pending). Deterministic, and no test waits for real time.

import type { Clock } from '../../src/apply/clock.js';

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
}

export class VirtualClock implements Clock {
  private time: number;
  private seq = 0;
  private timers: Timer[] = [];
  private scheduled = false;
  /** Every sleep requested, in order: [start, duration]. */
  readonly sleeps: { from: number; ms: number }[] = [];

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push({ from: this.time, ms });
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer: Timer = { at: this.time + Math.max(0, ms), seq: this.seq++, resolve };
      this.timers.push(timer);
      signal?.addEventListener(
        'abort',
        () => {
          this.timers = this.timers.filter((t) => t !== timer);
          resolve();
        },
        { once: true },
      );
      this.kick();
    });
  }

  private kick(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.timers.length === 0) return;
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const timer = this.timers.shift()!;
      this.time = Math.max(this.time, timer.at);
      timer.resolve();
      if (this.timers.length > 0) this.kick();
    });
  }
}
