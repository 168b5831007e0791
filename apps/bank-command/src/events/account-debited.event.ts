import { DomainEvent } from 'nestjs-flux';

/** `amount` is in cents. */
@DomainEvent('AccountDebited')
export class AccountDebited {
  constructor(readonly amount: number) {}
}
