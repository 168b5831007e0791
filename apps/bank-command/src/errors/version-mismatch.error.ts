/** The client's `If-Match` / `expectedVersion` is not the account's current version. */
export class VersionMismatchError extends Error {
  constructor(
    readonly accountId: string,
    readonly expectedVersion: number,
    readonly actualVersion: number,
  ) {
    super(
      `Account "${accountId}" is at version ${actualVersion}, not the expected ${expectedVersion}. ` +
        'Read it again and retry.',
    );
    this.name = 'VersionMismatchError';
  }
}
