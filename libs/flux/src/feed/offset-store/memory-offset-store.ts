import { assertOffset, type OffsetStore } from './offset-store.js';

/** Offsets in process memory: a restarted consumer starts from the beginning of the feed. */
export class MemoryOffsetStore implements OffsetStore {
  private readonly offsets = new Map<string, number>();

  async get(name: string): Promise<number> {
    return this.offsets.get(name) ?? 0;
  }

  async save(name: string, position: number): Promise<void> {
    assertOffset(name, position);
    this.offsets.set(name, position);
  }
}
