/**
 * Typed errors. Every error the tool raises on purpose carries a stable `code` and a `retryable`
 * flag; `src/cli/exit-codes.ts` is the one place that turns them into exit codes.
 */
export type ErrorKind = 'usage' | 'config' | 'transient' | 'internal';

export class VeloError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly retryable: boolean;

  constructor(code: string, message: string, options: { kind?: ErrorKind; retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VeloError';
    this.code = code;
    this.kind = options.kind ?? 'internal';
    this.retryable = options.retryable ?? this.kind === 'transient';
  }
}

/** Bad flags, bad config: the user must change the command line. */
export class UsageError extends VeloError {
  constructor(code: string, message: string, cause?: unknown) {
    super(code, message, { kind: 'usage', cause });
    this.name = 'UsageError';
  }
}

/** A failure a scheduler may retry as is (network, quota, emulator not up yet). */
export class TransientError extends VeloError {
  constructor(code: string, message: string, cause?: unknown) {
    super(code, message, { kind: 'transient', retryable: true, cause });
    this.name = 'TransientError';
  }
}

/** A warehouse load or SQL step failed in a way a retry will not fix. */
export class WarehouseError extends VeloError {
  constructor(code: string, message: string, cause?: unknown) {
    super(code, message, { kind: 'internal', cause });
    this.name = 'WarehouseError';
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
