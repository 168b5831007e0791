/**
 * Counts the retries of one operation per cause, each cause against its own limit of attempts,
 * so that a retry for one cause does not use up another's (a deadlock victim does not count as
 * a lost version race).
 * @internal
 */
export class RetryBudget<Cause extends string> {
  private readonly failures = new Map<Cause, number>();

  /** `attempts`: how many times each cause may fail in all; the last failure is not retried. */
  constructor(private readonly attempts: Readonly<Record<Cause, number>>) {}

  /** Records one failure of `cause`: true when the operation may run again for it. */
  retry(cause: Cause): boolean {
    const failures = this.failed(cause) + 1;
    this.failures.set(cause, failures);
    return failures < this.attempts[cause];
  }

  /** Failures recorded for `cause` so far (for a backoff growing with them). */
  failed(cause: Cause): number {
    return this.failures.get(cause) ?? 0;
  }
}
