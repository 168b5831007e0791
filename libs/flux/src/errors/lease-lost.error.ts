import { FluxError } from './flux.error.js';

/**
 * A holder of a lease acted after the lease had passed to another holder (it expired while the
 * process was paused or cut off from Redis, or the key was removed). Nothing was written: the
 * successor owns the work now.
 */
export class LeaseLostError extends FluxError {
  constructor(
    readonly leaseKey: string,
    what: string,
  ) {
    super(
      'LEASE_LOST',
      `Lease "${leaseKey}" is no longer held by this process: ${what} was refused. Another ` +
        `replica took over; this one stands by again. If this happens without a pause or an ` +
        `outage, raise leaseTtl above the longest stall of the process.`,
    );
  }
}
