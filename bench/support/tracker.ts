/**
 * Counts deliveries of the sequence numbers 0..total-1 and times them from the entry of the
 * first handler call to the exit of the call that completes the set. Every consumer (raw
 * loop, `consume()`, a worker, BullMQ) is timed the same way.
 */
export class DeliveryTracker {
  private readonly seen: Uint8Array;
  delivered = 0;
  duplicates = 0;
  first = 0;
  last = 0;
  readonly done: Promise<void>;
  private resolve!: () => void;

  constructor(readonly total: number) {
    this.seen = new Uint8Array(total);
    this.done = new Promise((resolve) => (this.resolve = resolve));
  }

  begin(): void {
    if (this.first === 0) this.first = performance.now();
  }

  mark(seq: number): void {
    if (!(seq >= 0 && seq < this.total)) throw new Error(`unexpected sequence number ${seq}`);
    if (this.seen[seq]) this.duplicates++;
    else {
      this.seen[seq] = 1;
      this.delivered++;
    }
  }

  end(): void {
    if (this.delivered >= this.total && this.last === 0) {
      this.last = performance.now();
      this.resolve();
    }
  }

  get complete(): boolean {
    return this.delivered >= this.total;
  }

  /** Deliveries per second between the first handler entry and the completing exit. */
  rate(): number {
    return (this.total * 1000) / (this.last - this.first);
  }

  /** Resolves when complete; rejects after `ms` naming what is missing. */
  async wait(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`only ${this.delivered} of ${this.total} delivered after ${ms} ms`)),
        ms,
      );
    });
    try {
      await Promise.race([this.done, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
