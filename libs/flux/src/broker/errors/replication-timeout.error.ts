import { FluxError } from '../../errors/flux.error.js';

/**
 * A publish to a stream registered with `durable` was written to its master, but fewer replicas
 * than asked acknowledged it within the timeout. The message is in the stream (its id is here)
 * and survives unless the master fails before a replica copies it: retry the publish if a
 * duplicate is better than a possible loss, or raise the timeout.
 */
export class ReplicationTimeoutError extends FluxError {
  constructor(
    readonly stream: string,
    readonly ids: string[],
    readonly required: number,
    readonly acknowledged: number,
    readonly timeoutMs: number,
  ) {
    super(
      'REPLICATION_TIMEOUT',
      `${ids.length} message(s) published to stream "${stream}" (first id ${ids[0]}) reached ` +
        `${acknowledged} of the ${required} replica(s) required within ${timeoutMs} ms: they are ` +
        `written, but a failover of the master before a replica copies them would lose them. ` +
        `Check the replicas' links (INFO replication), or raise durable.timeoutMs.`,
    );
  }
}
