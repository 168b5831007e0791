import type { IncomingMessage } from 'node:http';

/**
 * The parts of an Express request the feed reads; typed here to avoid depending on Express types.
 * @internal
 */
export interface FeedRequest extends IncomingMessage {
  /** Express: `http`/`https`, honouring `trust proxy`. */
  protocol?: string;
  /** Express: Host (with port), honouring `trust proxy`. */
  host?: string;
  /** Express: the URL before any router stripped a prefix. */
  originalUrl?: string;
}

/**
 * The feed's absolute URL (no trailing slash) as the client reached it, so `url` and `next` keep
 * working behind a global prefix or another mount point. `dropLast` removes the route's own
 * segment (`/<event_id>`, `/stream`).
 * @internal
 */
export function feedBaseUrl(
  req: FeedRequest,
  publicUrl: string | undefined,
  dropLast: boolean,
): string {
  if (publicUrl) return publicUrl;
  const raw = req.originalUrl ?? req.url ?? '/';
  let path = raw.split('?')[0].replace(/\/+$/, '');
  if (dropLast) path = path.slice(0, path.lastIndexOf('/'));
  const host = req.host ?? req.headers.host ?? 'localhost';
  return `${req.protocol ?? 'http'}://${host}${path}`;
}
