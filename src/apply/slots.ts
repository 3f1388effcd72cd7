// The executor's parallelism: a fixed number of slots, handed out first come,
// first served. An app that must wait a long time without working (a lost
// publish answer, watched for a late commit) hands its slot back meanwhile,
// so the wait never holds up other apps, and gets one again before anyone
// still queued for a first one.

export class Slots {
  #free: number;
  readonly #queue: { resolve: () => void }[] = [];

  constructor(size: number) {
    this.#free = size;
  }

  /** Resolves once a slot is this caller's; `first` goes before everyone already queued. */
  acquire(first = false): Promise<void> {
    if (this.#free > 0) {
      this.#free -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      if (first) this.#queue.unshift({ resolve });
      else this.#queue.push({ resolve });
    });
  }

  release(): void {
    const next = this.#queue.shift();
    if (next) next.resolve();
    else this.#free += 1;
  }

  /** Runs `wait` without holding the caller's slot, and takes one again afterwards. */
  async without<T>(wait: () => Promise<T>): Promise<T> {
    this.release();
    try {
      return await wait();
    } finally {
      await this.acquire(true);
    }
  }
}
