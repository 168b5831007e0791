import { FluxError } from '../../errors/flux.error.js';

/** The feed answered, but not with what the consumer needs (an error status or a bad body). */
export class FeedHttpError extends FluxError {
  constructor(
    readonly url: URL,
    readonly status: number,
    reason: string,
  ) {
    super('FEED_HTTP', `Feed ${url.origin}${url.pathname} answered ${status}: ${reason}`);
  }

  static async from(url: URL, response: Response): Promise<FeedHttpError> {
    const text = await response.text().catch(() => '');
    return new FeedHttpError(url, response.status, text.slice(0, 300) || response.statusText);
  }
}
