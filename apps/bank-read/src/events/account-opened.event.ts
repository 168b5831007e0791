import { DomainEvent } from 'nestjs-flux';

/** Same type name as the command service's event: the name is the contract, not the class. */
@DomainEvent('AccountOpened')
export class AccountOpened {
  constructor(readonly owner: string) {}
}
