import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';

/**
 * Protects the admin board and the metrics with `Authorization: Bearer <ADMIN_TOKEN>`. Without
 * `ADMIN_TOKEN` they are open, which suits a local demo only; use your real auth guard instead.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly token = process.env.ADMIN_TOKEN;

  canActivate(context: ExecutionContext): boolean {
    if (!this.token) return true;
    const header = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | undefined> }>().headers.authorization;
    const given = Buffer.from(header?.replace(/^Bearer /, '') ?? '');
    const expected = Buffer.from(this.token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
