export class AccountAlreadyExistsError extends Error {
  constructor(readonly accountId: string) {
    super(`Account "${accountId}" already exists.`);
    this.name = 'AccountAlreadyExistsError';
  }
}
