import type { Redis } from 'ioredis';

type CommandError = Error & { command?: { name?: string; args?: unknown[] } };

/**
 * ioredis attaches the failed command to its errors, and a failed AUTH or HELLO carries the
 * password in `command.args`, and commands queued behind a failed handshake reject with that same
 * error: any logger that serialises it would print the password. The handshake gets a first
 * rejection handler that blanks credentials out of the error before any caller sees it.
 * @internal
 */
export function redactCredentials(client: Redis): Redis {
  const secrets = [client.options.password, client.options.username].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
  const send = client.sendCommand.bind(client);
  client.sendCommand = ((...args: Parameters<Redis['sendCommand']>) => {
    const result = send(...args);
    // Only the handshake carries credentials; its error is also what queued commands reject
    // with. Every other command passes through untouched (this is the publish hot path).
    const name = (args[0] as { name?: string }).name;
    if (name === 'auth' || name === 'hello') {
      void Promise.resolve(result).catch((error: CommandError) => redact(error, secrets));
    }
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
