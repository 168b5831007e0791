import { appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where each run appends its figures, one JSON line per fault (outside the repository). */
export const FIGURES_FILE =
  process.env.FAULTS_FIGURES ?? join(tmpdir(), 'nestjs-flux-faults.jsonl');

/**
 * Counts one fault's messages by id: what was sent, what a handler saw, and how often. Lost =
 * sent but never seen; duplicates = deliveries beyond the first (at-least-once allows them).
 */
export class Tally {
  readonly sent = new Set<string>();
  private readonly seen = new Map<string, number>();
  /** Ids seen that were never sent (must stay empty). */
  readonly unknown = new Set<string>();

  constructor(readonly fault: string) {}

  send(id: string): void {
    this.sent.add(id);
  }

  see(id: string): void {
    if (!this.sent.has(id)) this.unknown.add(id);
    this.seen.set(id, (this.seen.get(id) ?? 0) + 1);
  }

  get processed(): number {
    let n = 0;
    for (const id of this.seen.keys()) if (this.sent.has(id)) n++;
    return n;
  }

  get lost(): number {
    let n = 0;
    for (const id of this.sent) if (!this.seen.has(id)) n++;
    return n;
  }

  get duplicates(): number {
    let n = 0;
    for (const count of this.seen.values()) n += count - 1;
    return n;
  }

  /** Every sent id was seen at least once. */
  complete(): boolean {
    return this.lost === 0;
  }

  /** Prints and records the figures; `extra` adds fault-specific counts. */
  report(extra: Record<string, number | string> = {}): Record<string, number | string> {
    return report(this.fault, {
      sent: this.sent.size,
      processed: this.processed,
      lost: this.lost,
      duplicates: this.duplicates,
      ...extra,
    });
  }
}

/** Prints one fault's figures as a single line and appends them to the figures file. */
export function report(
  fault: string,
  figures: Record<string, number | string>,
): Record<string, number | string> {
  const line = Object.entries(figures)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  console.log(`[faults] ${fault}: ${line}`);
  try {
    appendFileSync(
      FIGURES_FILE,
      `${JSON.stringify({ fault, at: new Date().toISOString(), ...figures })}\n`,
    );
  } catch {
    // The figures file is a convenience; the printed line is the record.
  }
  return figures;
}
