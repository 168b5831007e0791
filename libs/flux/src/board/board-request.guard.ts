import { type CanActivate, type ExecutionContext, ForbiddenException } from '@nestjs/common';

/** Header the board's page sends with every mutating request. */
export const BOARD_REQUEST_HEADER = 'x-flux-board';

/**
 * Refuses POST/DELETE requests without the `X-Flux-Board` header. A cross-site form or image
 * cannot set a custom header, and a cross-site script cannot without a CORS preflight the app
 * does not grant, so a board guarded by cookies cannot be driven from another site (CSRF).
 * @internal
 */
export class BoardRequestGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>();
    if (req.headers[BOARD_REQUEST_HEADER] === undefined) {
      throw new ForbiddenException({
        statusCode: 403,
        error: 'Forbidden',
        message: `Mutating board requests must carry the "${BOARD_REQUEST_HEADER}" header.`,
      });
    }
    return true;
  }
}
