import type { LoggerService } from '@nestjs/common';

/** Keeps an application's log lines (and the test output quiet) for assertions. */
export class CapturingLogger implements LoggerService {
  readonly lines: Array<{ level: string; text: string }> = [];
  log = (...args: unknown[]) => this.push('log', args);
  error = (...args: unknown[]) => this.push('error', args);
  warn = (...args: unknown[]) => this.push('warn', args);
  debug = (...args: unknown[]) => this.push('debug', args);
  verbose = (...args: unknown[]) => this.push('verbose', args);
  fatal = (...args: unknown[]) => this.push('fatal', args);

  all(): string {
    return this.lines.map((l) => `${l.level}: ${l.text}`).join('\n');
  }

  private push(level: string, args: unknown[]): void {
    const text = args
      .map((a) =>
        a instanceof Error
          ? `${a.name}: ${a.message}\n${a.stack}`
          : typeof a === 'string'
            ? a
            : safeJson(a),
      )
      .join(' ');
    this.lines.push({ level, text });
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
