/**
 * Which class claimed each key (a group on a stream, a subscriber name): a second claim fails
 * with the error `conflict` builds from the first claimant's name, so two classes never share
 * what must be one reader's.
 * @internal
 */
export class ClaimedKeys {
  private readonly owners = new Map<string, string>();

  claim(key: string, owner: string, conflict: (other: string) => Error): void {
    const other = this.owners.get(key);
    if (other !== undefined) throw conflict(other);
    this.owners.set(key, owner);
  }
}
