import { DomainEvent } from 'nestjs-flux';

/** `amount` is in cents. */
@DomainEvent('AccountCredited')
export class AccountCredited {
  constructor(readonly amount: number) {}
}
