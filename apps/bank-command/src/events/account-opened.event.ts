import { DomainEvent } from 'nestjs-flux';

/** The type name, not the class, is the contract with the read services. */
@DomainEvent('AccountOpened')
export class AccountOpened {
  constructor(readonly owner: string) {}
}
