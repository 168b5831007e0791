/**
 * What this process has seen of each stream: its aggregate name and a version known to exist.
 * Both facts never change once true (events are immutable and never deleted), so an append that
 * expects a known version can skip the read that proves the stream reached it.
 * Bounded; the oldest entry goes first.
 * @internal
 */
export class StreamVersionCache {
  private readonly entries = new Map<string, { name: string; version: number }>();

  constructor(private readonly capacity = 10_000) {}

  /** True when `aggregateId` is known to be a `name` that reached at least `version`. */
  confirms(aggregateId: string, name: string, version: number): boolean {
    const entry = this.entries.get(aggregateId);
    return entry !== undefined && entry.name === name && entry.version >= version;
  }

  /** The highest version known of `aggregateId` as a `name`, if any. */
  version(aggregateId: string, name: string): number | undefined {
    const entry = this.entries.get(aggregateId);
    return entry?.name === name ? entry.version : undefined;
  }

  remember(aggregateId: string, name: string, version: number): void {
    const entry = this.entries.get(aggregateId);
    if (entry && entry.version >= version) return;
    this.entries.delete(aggregateId);
    this.entries.set(aggregateId, { name, version });
    if (this.entries.size > this.capacity) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
  }
}
