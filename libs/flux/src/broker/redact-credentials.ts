import type { Redis } from 'ioredis';

type CommandError = Error & { command?: { name?: string; args?: unknown[] } };

/**
 * ioredis attaches the failed command to its errors, and a failed AUTH or HELLO carries the
 * password in `command.args`: any logger that serialises the error would print it. Every command
 * of the client gets a first rejection handler that blanks credentials out of the error object
 * before the caller's handlers see it.
 */
export function redactCredentials(client: Redis): Redis {
  const secrets = [client.options.password, client.options.username].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
  const send = client.sendCommand.bind(client);
  client.sendCommand = ((...args: Parameters<Redis['sendCommand']>) => {
    const result = send(...args);
    void Promise.resolve(result).catch((error: CommandError) => redact(error, secrets));
    return result;
  }) as Redis['sendCommand'];
  return client;
}

function redact(error: CommandError, secrets: string[]): void {
  if (!error || typeof error !== 'object') return;
  const name = error.command?.name?.toLowerCase();
  if (error.command && (name === 'auth' || name === 'hello')) error.command.args = ['[redacted]'];
  for (const secret of secrets) {
    if (secret.length >= 4 && error.message?.includes(secret))
      error.message = error.message.split(secret).join('***');
  }
}
