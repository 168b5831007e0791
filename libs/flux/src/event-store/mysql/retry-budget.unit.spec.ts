import { describe, expect, it } from 'vitest';
import { RetryBudget } from './retry-budget.js';

describe('RetryBudget', () => {
  it('allows attempts − 1 retries per cause, then refuses', () => {
    const budget = new RetryBudget({ conflict: 3, lock: 2 });
    expect(budget.retry('conflict')).toBe(true);
    expect(budget.retry('conflict')).toBe(true);
    expect(budget.retry('conflict')).toBe(false);
    expect(budget.failed('conflict')).toBe(3);
  });

  it('keeps each cause on its own count', () => {
    const budget = new RetryBudget({ conflict: 3, lock: 2 });
    expect(budget.retry('lock')).toBe(true);
    expect(budget.retry('lock')).toBe(false);
    expect(budget.failed('lock')).toBe(2);
    expect(budget.failed('conflict')).toBe(0);
    expect(budget.retry('conflict')).toBe(true);
  });
});
