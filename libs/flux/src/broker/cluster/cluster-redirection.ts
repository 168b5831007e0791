/**
 * Whether an error is a Redis Cluster redirection or transient cluster state — a slot moving
 * (MOVED, ASK, TRYAGAIN) or a failover in progress (CLUSTERDOWN) — that the same command,
 * sent again shortly, gets past.
 * @internal
 */
export function isRedirection(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return /^(MOVED|ASK|TRYAGAIN|CLUSTERDOWN) /.test(error.message);
}
