import { Aggregate, AggregateRoot, DomainEvent, EventHandler } from 'nestjs-flux';

@DomainEvent('FaultOpened')
export class FaultOpened {
  constructor(readonly owner: string) {}
}

@DomainEvent('FaultCredited')
export class FaultCredited {
  constructor(
    readonly amount: number,
    /** Unique per command: what the fault tests count. */
    readonly uid: string,
  ) {}
}

/** The suite's aggregate: snapshots every 5 versions, so loads mix snapshots and events. */
@Aggregate({ name: 'fault-account', snapshotEvery: 5 })
export class FaultAccount extends AggregateRoot {
  balance = 0;
  credits = 0;
  open(owner: string) {
    this.apply(new FaultOpened(owner));
  }
  credit(amount: number, uid: string) {
    this.apply(new FaultCredited(amount, uid));
  }
  @EventHandler(FaultOpened) onOpened() {
    this.balance = 0;
  }
  @EventHandler(FaultCredited) onCredited(e: FaultCredited) {
    this.balance += e.amount;
    this.credits++;
  }
}

/** The same events on a stream: the relay publishes them there. */
@Aggregate({ name: 'streamed-account', stream: 'fault-accounts' })
export class StreamedAccount extends AggregateRoot {
  balance = 0;
  open(owner: string) {
    this.apply(new FaultOpened(owner));
  }
  credit(amount: number, uid: string) {
    this.apply(new FaultCredited(amount, uid));
  }
  @EventHandler(FaultOpened) onOpened() {
    this.balance = 0;
  }
  @EventHandler(FaultCredited) onCredited(e: FaultCredited) {
    this.balance += e.amount;
  }
}
