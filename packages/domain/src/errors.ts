/**
 * Expected failures of the domain. Each carries a stable `code` that the GraphQL edge
 * copies into `extensions.code`; anything that is not a `DomainError` is unexpected and
 * is logged and masked there.
 */
export const ErrorCode = {
  BadUserInput: 'BAD_USER_INPUT',
  Unauthenticated: 'UNAUTHENTICATED',
  Forbidden: 'FORBIDDEN',
  NotFound: 'NOT_FOUND',
  InvalidTransition: 'INVALID_TRANSITION',
  Conflict: 'CONFLICT',
  PaymentDeclined: 'PAYMENT_DECLINED',
  PaymentUnavailable: 'PAYMENT_UNAVAILABLE',
  KitchenUnavailable: 'KITCHEN_UNAVAILABLE',
  IdempotencyKeyReused: 'IDEMPOTENCY_KEY_REUSED',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Facts a client may act on; copied into `extensions` beside the code. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input that can never be valid. `field` is the path inside the operation's input. */
export class BadUserInputError extends DomainError {
  constructor(field: string, message: string) {
    super(ErrorCode.BadUserInput, `${field}: ${message}`, { field });
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(message = 'Sign in to do this.') {
    super(ErrorCode.Unauthenticated, message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = 'You may not do this.') {
    super(ErrorCode.Forbidden, message);
  }
}

export class NotFoundError extends DomainError {
  constructor(entity: string, id: string) {
    super(ErrorCode.NotFound, `${entity} ${id} does not exist.`, { entity, id });
  }
}

/** The entity's state does not allow the action; nothing was changed. */
export class InvalidTransitionError extends DomainError {
  constructor(entity: string, action: string, currentStatus: string) {
    super(ErrorCode.InvalidTransition, `Cannot ${action} a ${entity} that is ${currentStatus}.`, {
      entity,
      action,
      currentStatus,
    });
  }
}

/** Someone else changed the entity first (for example, another rider claimed it). */
export class ConflictError extends DomainError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(ErrorCode.Conflict, message, details);
  }
}

/**
 * A versioned save found the row changed since it was loaded (optimistic locking). Commands
 * run again on the fresh state when this happens (see `transact` in the service kit), so a
 * client only sees it, as `CONFLICT`, if the entity kept changing under every attempt.
 */
export class StaleVersionError extends ConflictError {
  constructor(entity: string, id: string) {
    super(`The ${entity} changed meanwhile; try again.`, { entity, id });
  }
}

/**
 * A dependency the operation needs synchronously did not answer; nothing was changed and the
 * same request may be sent again later (`retryable: true`).
 */
export class UnavailableError extends DomainError {
  constructor(
    code: typeof ErrorCode.PaymentUnavailable | typeof ErrorCode.KitchenUnavailable,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(code, message, { retryable: true, ...details });
  }
}
