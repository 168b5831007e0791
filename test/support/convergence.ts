import { call, waitFor } from '../../apps/demo/src/http-client.js';

interface Snapshot {
  balance: number;
  version: number;
}

/** The command side's truth for each account, read from the write model itself. */
export async function commandBalances(
  commandUrl: string,
  ids: string[],
): Promise<Map<string, Snapshot>> {
  const entries = await Promise.all(
    ids.map(async (id) => {
      const { status, body } = await call('GET', `${commandUrl}/accounts/${id}`);
      if (status !== 200) throw new Error(`GET /accounts/${id} answered ${status}`);
      return [id, { balance: body.balance, version: body.version }] as const;
    }),
  );
  return new Map(entries);
}

/**
 * Polls the read model until every account shows exactly the command side's balance and
 * version; on timeout the error lists the accounts that differ.
 */
export async function expectConverged(
  commandUrl: string,
  readUrl: string,
  ids: string[],
  timeoutMs = 30_000,
): Promise<void> {
  const truth = await commandBalances(commandUrl, ids);
  let differences: string[] = [];
  try {
    await waitFor(
      'the read model to converge',
      async () => {
        differences = [];
        for (const id of ids) {
          const { status, body } = await call('GET', `${readUrl}/balances/${id}`);
          const want = truth.get(id)!;
          if (status !== 200 || body.balance !== want.balance || body.version !== want.version) {
            const got = status === 200 ? `${body.balance} (v${body.version})` : `HTTP ${status}`;
            differences.push(`${id}: command ${want.balance} (v${want.version}), read ${got}`);
          }
        }
        return differences.length === 0;
      },
      timeoutMs,
      200,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}:\n  ${differences.join('\n  ')}`);
  }
}
