// Request pacing: spreads the starts of concurrent requests a little apart,
// so that their answers do not all come back at once.
//
// Why: requests started together are answered together (a server's timers
// and event loop batch them), and the client then handles the answers one
// after another, each waiting for the CPU behind the others, before it sends
// the next requests, again together. The batch never breaks up, and every
// round pays the whole batch's handling on both sides on top of the network
// latency. Measured here (bench/, 1,000 apps at 20 ms): a round of 10
// requests took 24-26 ms unpaced, 21-22 ms paced.
//
// The gap is a fraction of the shortest time to first byte seen so far,
// divided among the connections, so pacing allows more request starts per
// second than the connections can carry anyway: once the requests are
// spread out, no request waits. It never slows a server that answers faster
// than a timer can wait (a gap under 1 ms is not paced), and nothing is
// paced until as many answers as there are connections have come back: the
// first answers are often the lists, whose time is the server's work on a
// large answer rather than the way there and back, and pacing the next
// requests by it would spread them over seconds.

/** The gap between starts, as a share of (shortest time to first byte / connections). Below 1, so pacing never caps throughput; between 0.65 and 0.95 measured alike. */
export const PACING_SHARE = 0.8;

/** Gaps shorter than this are not waited for: a timer cannot wait less. */
const MIN_WAIT_MS = 1;

export interface PacingClock {
  /** Milliseconds, monotonic, with fractions. */
  now(): number;
  /** Resolves after `ms`, or early when `signal` aborts (the caller checks it). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export class RequestPacer {
  readonly #connections: number;
  readonly #clock: PacingClock;
  #shortestMs = Infinity;
  #answers = 0;
  /** When the next request may start. */
  #nextStart = -Infinity;

  constructor(connections: number, clock: PacingClock) {
    if (!Number.isInteger(connections) || connections < 1) throw new RangeError(`pacing needs a whole number of connections from 1 (got ${connections})`);
    this.#connections = connections;
    this.#clock = clock;
  }

  /** The gap kept between request starts now (0: none). */
  gapMs(): number {
    if (this.#answers < this.#connections || !Number.isFinite(this.#shortestMs)) return 0;
    const gap = (PACING_SHARE * this.#shortestMs) / this.#connections;
    return gap < MIN_WAIT_MS ? 0 : gap;
  }

  /** Waits for this request's turn to start; returns at once when nothing is paced. */
  async turn(signal?: AbortSignal): Promise<void> {
    const gap = this.gapMs();
    if (gap === 0) return;
    const now = this.#clock.now();
    const start = Math.max(now, this.#nextStart);
    this.#nextStart = start + gap;
    const wait = start - now;
    if (wait >= MIN_WAIT_MS) await this.#clock.sleep(wait, signal);
  }

  /** Records a request's time from sending to the response's headers. */
  answered(timeToHeadersMs: number): void {
    if (!Number.isFinite(timeToHeadersMs) || timeToHeadersMs < 0) return;
    this.#answers += 1;
    if (timeToHeadersMs < this.#shortestMs) this.#shortestMs = timeToHeadersMs;
  }
}
