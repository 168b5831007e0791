import { type ArgumentsHost, Catch, type ExceptionFilter, HttpStatus } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { STATUS_CODES } from 'node:http';
import {
  AggregateNotFoundError,
  ConcurrencyError,
  EventStoreUnavailableError,
  InvalidArgumentError,
} from 'nestjs-flux';
import {
  AccountAlreadyExistsError,
  InsufficientFundsError,
  VersionMismatchError,
} from './errors/index.js';

type ErrorClass = abstract new (...args: any[]) => Error;

const STATUS = new Map<ErrorClass, HttpStatus>([
  [AggregateNotFoundError, HttpStatus.NOT_FOUND],
  [InvalidArgumentError, HttpStatus.BAD_REQUEST],
  [InsufficientFundsError, HttpStatus.UNPROCESSABLE_ENTITY],
  [AccountAlreadyExistsError, HttpStatus.CONFLICT],
  [VersionMismatchError, HttpStatus.CONFLICT],
  [ConcurrencyError, HttpStatus.CONFLICT],
  // Nothing was written: the client may safely retry later.
  [EventStoreUnavailableError, HttpStatus.SERVICE_UNAVAILABLE],
]);

/** Domain and library errors as HTTP answers, so command handlers stay free of HTTP. */
@Catch(...STATUS.keys())
export class BankErrorsFilter implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: Error, host: ArgumentsHost): void {
    const status = STATUS.get(error.constructor as ErrorClass) ?? HttpStatus.INTERNAL_SERVER_ERROR;
    const message =
      error instanceof AggregateNotFoundError
        ? `Account "${error.aggregateId}" does not exist.`
        : error.message;
    // `error` is the reason phrase, as in Nest's own answers; `code` tells which refusal it is.
    const body = { statusCode: status, error: STATUS_CODES[status], code: error.name, message };
    this.adapterHost.httpAdapter.reply(host.switchToHttp().getResponse(), body, status);
  }
}
