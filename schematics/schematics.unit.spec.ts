import { Tree } from '@angular-devkit/schematics';
import { SchematicTestRunner } from '@angular-devkit/schematics/testing';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const collection = fileURLToPath(new URL('./collection.json', import.meta.url));
const runner = new SchematicTestRunner('nestjs-flux', collection);

describe('aggregate schematic', () => {
  it('generates the aggregate, its first event, module, service and spec in src/<name>/', async () => {
    const tree = await runner.runSchematic('aggregate', { name: 'account' }, Tree.empty());
    expect(tree.files.sort()).toEqual([
      '/src/account/account.aggregate.spec.ts',
      '/src/account/account.aggregate.ts',
      '/src/account/account.module.ts',
      '/src/account/account.service.ts',
      '/src/account/events/account-created.event.ts',
      '/src/account/events/index.ts',
    ]);
    const aggregate = tree.readText('/src/account/account.aggregate.ts');
    expect(aggregate).toContain("@Aggregate({ name: 'account' })");
    expect(aggregate).toContain('export class Account extends AggregateRoot {');
    expect(aggregate).toContain('@EventHandler(AccountCreated)');
    expect(tree.readText('/src/account/account.module.ts')).toContain(
      'FluxModule.forFeature({ aggregates: [Account] })',
    );
    const service = tree.readText('/src/account/account.service.ts');
    expect(service).toContain('@InjectAggregateRepository(Account)');
    expect(service).toContain('AggregateRepository<Account>');
    const spec = tree.readText('/src/account/account.aggregate.spec.ts');
    expect(spec).toContain("import { aggregateFixture } from 'nestjs-flux/testing';");
    expect(spec).toContain("from 'vitest'");
    expect(tree.readText('/src/account/events/index.ts')).toBe(
      "export * from './account-created.event.js';\n",
    );
  });

  it('honours --stream, --path, --flat, --spec=false, --test-runner=jest and nested names', async () => {
    const options = { name: 'bank/savings-account', stream: 'bank:accounts', testRunner: 'jest' };
    const tree = await runner.runSchematic('aggregate', options, Tree.empty());
    const aggregate = tree.readText('/src/bank/savings-account/savings-account.aggregate.ts');
    expect(aggregate).toContain("@Aggregate({ name: 'savings-account', stream: 'bank:accounts' })");
    expect(aggregate).toContain('export class SavingsAccount extends AggregateRoot');
    const spec = tree.readText('/src/bank/savings-account/savings-account.aggregate.spec.ts');
    expect(spec).not.toContain('vitest');

    const flat = { name: 'ledger', path: 'lib', flat: true, spec: false };
    const flatTree = await runner.runSchematic('aggregate', flat, Tree.empty());
    expect(flatTree.files.sort()).toEqual([
      '/lib/events/index.ts',
      '/lib/events/ledger-created.event.ts',
      '/lib/ledger.aggregate.ts',
      '/lib/ledger.module.ts',
      '/lib/ledger.service.ts',
    ]);
  });

  it('refuses names and streams that would break the generated code', async () => {
    await expect(runner.runSchematic('aggregate', { name: "a'b" }, Tree.empty())).rejects.toThrow(
      /Invalid name/,
    );
    const badStream = { name: 'account', stream: "x'); evil('" };
    await expect(runner.runSchematic('aggregate', badStream, Tree.empty())).rejects.toThrow(
      /Invalid --stream/,
    );
  });
});

describe('event schematic', () => {
  it('adds an event class to the aggregate and to its events barrel, once', async () => {
    let tree = await runner.runSchematic('aggregate', { name: 'account' }, Tree.empty());
    const options = { name: 'account-credited', aggregate: 'account' };
    tree = await runner.runSchematic('event', options, tree);
    const event = tree.readText('/src/account/events/account-credited.event.ts');
    expect(event).toContain("@DomainEvent('AccountCredited')");
    expect(event).toContain('export class AccountCredited {}');
    tree = await runner.runSchematic(
      'event',
      { name: 'account-debited', aggregate: 'account' },
      tree,
    );
    expect(tree.readText('/src/account/events/index.ts')).toBe(
      [
        "export * from './account-created.event.js';",
        "export * from './account-credited.event.js';",
        "export * from './account-debited.event.js';",
        '',
      ].join('\n'),
    );
    // An edited event is never overwritten.
    tree.overwrite('/src/account/events/account-credited.event.ts', '// edited\n');
    await expect(runner.runSchematic('event', options, tree)).rejects.toThrow(/conflicted on path/);
  });

  it('without --aggregate writes to <path>/events/', async () => {
    const tree = await runner.runSchematic('event', { name: 'clock-ticked' }, Tree.empty());
    expect(tree.files.sort()).toEqual([
      '/src/events/clock-ticked.event.ts',
      '/src/events/index.ts',
    ]);
  });
});

describe('projection schematic', () => {
  it('generates a @StreamConsumer class, its module and spec', async () => {
    const options = { name: 'balances', stream: 'account-events' };
    const tree = await runner.runSchematic('projection', options, Tree.empty());
    expect(tree.files.sort()).toEqual([
      '/src/balances/balances.module.ts',
      '/src/balances/balances.projection.spec.ts',
      '/src/balances/balances.projection.ts',
    ]);
    const projection = tree.readText('/src/balances/balances.projection.ts');
    expect(projection).toContain(
      "@StreamConsumer('account-events', { group: 'balances', mode: 'single' })",
    );
    expect(projection).toContain('export class BalancesProjection {');
    expect(tree.readText('/src/balances/balances.module.ts')).toContain(
      'providers: [BalancesProjection]',
    );
  });

  it('takes --group, and names the stream after the projection without --stream', async () => {
    const options = { name: 'balances', stream: 'account-events', group: 'read-model' };
    const tree = await runner.runSchematic('projection', options, Tree.empty());
    expect(tree.readText('/src/balances/balances.projection.ts')).toContain("group: 'read-model'");
    // What `nest g -c nestjs-flux projection ledger` gives: the Nest CLI cannot pass --stream.
    const bare = await runner.runSchematic('projection', { name: 'ledger' }, Tree.empty());
    expect(bare.readText('/src/ledger/ledger.projection.ts')).toContain(
      "@StreamConsumer('ledger', { group: 'ledger', mode: 'single' })",
    );
  });
});
