/**
 * Capped exponential delay for the `attempt`-th consecutive failure (1-based), with ±20% jitter.
 * @internal
 */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number): number {
  const exponential = initialMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30);
  // Jitter keeps many consumers that failed together from retrying in lockstep.
  const jittered = exponential * (0.8 + Math.random() * 0.4);
  return Math.round(Math.min(jittered, maxMs));
}

/**
 * A sleep that `wake()` ends early, so shutdown never waits out a backoff.
 * @internal
 */
export class Sleeper {
  private pending?: { timer: NodeJS.Timeout; resolve: () => void };

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.settle(), ms);
      this.pending = { timer, resolve };
    });
  }

  wake(): void {
    this.settle();
  }

  private settle(): void {
    const pending = this.pending;
    this.pending = undefined;
    if (pending) {
      clearTimeout(pending.timer);
      pending.resolve();
    }
  }
}
