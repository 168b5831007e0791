import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

const LISTENING = /listening on (http:\/\/[\w.:[\]-]+)/;

/** A sample service started as its own `node` process, as it runs in production. */
export class ServiceProcess {
  /** Everything the process printed, for when something goes wrong. */
  output = '';
  url = '';
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;

  private constructor(
    readonly name: string,
    script: string,
    env: Record<string, string | undefined>,
  ) {
    this.child = spawn(process.execPath, [script], {
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => (this.output += chunk.toString());
    this.child.stdout!.on('data', collect);
    this.child.stderr!.on('data', collect);
    this.exited = once(this.child, 'exit').then(([code]) => code as number | null);
  }

  /** Starts `script` and resolves once it logged the URL it listens on (`PORT=0` works). */
  static async start(
    name: string,
    script: string,
    env: Record<string, string | undefined>,
    timeoutMs = 20_000,
  ): Promise<ServiceProcess> {
    const service = new ServiceProcess(name, script, env);
    const deadline = Date.now() + timeoutMs;
    while (!service.url) {
      const match = LISTENING.exec(service.output);
      if (match) service.url = match[1];
      else if (service.child.exitCode !== null) throw service.failure('exited before listening');
      else if (Date.now() > deadline)
        throw service.failure(`did not listen within ${timeoutMs} ms`);
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return service;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Freezes (`SIGSTOP`) or thaws (`SIGCONT`) the process: a service that lags, then catches up. */
  freeze(frozen: boolean): void {
    if (this.running) this.child.kill(frozen ? 'SIGSTOP' : 'SIGCONT');
  }

  /** SIGTERM (graceful: the app closes its consumers and stores), SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<'graceful' | 'killed'> {
    if (!this.running) return 'graceful';
    let killed = false;
    // A frozen process would not act on SIGTERM before SIGKILL comes.
    this.child.kill('SIGCONT');
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => {
      killed = true;
      this.child.kill('SIGKILL');
    }, graceMs);
    await this.exited;
    clearTimeout(timer);
    return killed ? 'killed' : 'graceful';
  }

  failure(reason: string): Error {
    return new Error(`${this.name} ${reason}. Its output:\n${this.output}`);
  }
}
