import type { SavedEventsListener } from './aggregate-repository.js';

/**
 * Fans saved events out to in-process listeners (EventBus bridge, metrics), one app each.
 * @internal
 */
export class SavedEventsBus {
  private readonly listeners: SavedEventsListener[] = [];

  subscribe(listener: SavedEventsListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** The live list, shared with repositories so later subscribers are seen too. */
  get all(): SavedEventsListener[] {
    return this.listeners;
  }
}
