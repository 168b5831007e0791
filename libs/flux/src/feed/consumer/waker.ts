/**
 * Interruptible waits: `sleep` resolves after `ms` or at the next `wake()`, whichever is first,
 * so pause/resume/stop take effect at once instead of after a poll interval or a backoff.
 * @internal
 */
export class Waker {
  private readonly sleepers = new Set<() => void>();

  constructor(private readonly keepAlive = false) {}

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      if (!this.keepAlive) timer.unref();
      this.sleepers.add(done);
    });
  }

  wake(): void {
    for (const done of [...this.sleepers]) done();
  }
}
