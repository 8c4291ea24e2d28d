/**
 * The one place that says what a Google Cloud API failure means, and the one retry layer for every call
 * to GCS and BigQuery. The clients' own retries are switched off (clients.ts), so a call is retried here,
 * a bounded number of times, and only when the failure is transient:
 *
 *   transient     429, 408, 5xx, dropped connections and timeouts, BigQuery rateLimitExceeded/backendError/
 *                 internalError, concurrent-DML aborts — retried with exponential backoff and full jitter;
 *   exists        409, or "already created/exists" (the BigQuery emulator answers 500): a create whose
 *                 first answer was lost; the caller attaches to what exists;
 *   precondition  412: a conditional create lost to another writer (or to our own lost answer);
 *   not-found 404, denied 401/403, terminal: everything else, never retried.
 */
import { TransientError, UsageError, VeloError, errorMessage } from '../../errors.js';
import { withRetry } from './retry.js';

export type GoogleFailure = 'transient' | 'exists' | 'precondition' | 'not-found' | 'denied' | 'terminal';

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET']);
const TRANSIENT_REASONS = new Set(['rateLimitExceeded', 'backendError', 'internalError', 'jobRateLimitExceeded', 'jobBackendError']);
const TRANSIENT_TEXT = /socket hang up|ECONNRESET|network (socket|error)|timed? ?out|concurrent update|could not serialize access|too many DML statements|retry the (job|request)/i;
const EXISTS_TEXT = /already (been )?(created|exists?)|Already Exists/i;
/** google-auth-library's words for credentials it cannot find or use: the user must fix them, a retry will not. */
const CREDENTIALS_TEXT = /default credentials|The file at .* does not exist|invalid_grant|Could not refresh access token|Could not load the default/i;

/** HTTP status of a client error, if it has one. */
export function statusOf(error: unknown): number | undefined {
  const e = error as { code?: unknown; status?: unknown; response?: { status?: number; statusCode?: number } };
  if (typeof e?.code === 'number') return e.code;
  if (typeof e?.status === 'number') return e.status;
  return e?.response?.status ?? e?.response?.statusCode;
}

function reasons(error: unknown): string[] {
  const errors = (error as { errors?: { reason?: unknown }[] })?.errors;
  return Array.isArray(errors) ? errors.map((e) => String(e?.reason ?? '')) : [];
}

export function classifyGoogleError(error: unknown): GoogleFailure {
  const status = statusOf(error);
  const message = errorMessage(error);
  if (status === 409 || EXISTS_TEXT.test(message)) return 'exists';
  if (status === 412) return 'precondition';
  if (CREDENTIALS_TEXT.test(message)) return 'denied';
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return 'transient';
  if (reasons(error).some((reason) => TRANSIENT_REASONS.has(reason))) return 'transient';
  if (status === 408 || status === 429 || (status !== undefined && status >= 500)) return 'transient';
  if (status === 404) return 'not-found';
  if (status === 401 || status === 403) return 'denied';
  return TRANSIENT_TEXT.test(message) ? 'transient' : 'terminal';
}

/** How often a transient failure is retried: ~0.15⁸ odds of giving up under 10% 503s and 5% resets. */
const ATTEMPTS = 8;

/** Every Google API call goes through here: transient failures are retried, the rest thrown as they are. */
export function callGoogle<T>(fn: () => Promise<T>): Promise<T> {
  return withRetry(fn, { attempts: ATTEMPTS, baseMs: 200, maxMs: 8_000, isRetryable: (error) => classifyGoogleError(error) === 'transient' });
}

/** Emulators and the API can return multi-kilobyte messages (stack traces): keep the head. */
function head(error: unknown): string {
  const text = errorMessage(error);
  return text.length > 600 ? `${text.slice(0, 600)}…` : text;
}

/** A GCS failure as a typed error: `where` names the bucket or prefix, `what` the operation. */
export function gcsError(where: string, what: string, error: unknown): VeloError {
  if (error instanceof VeloError) return error;
  const message = `${where}: ${what}: ${head(error)}`;
  switch (classifyGoogleError(error)) {
    case 'not-found':
      return new UsageError('GCS_NOT_FOUND', `${where}: ${what}: not found (check the bucket and prefix)`, error);
    case 'denied':
      return new UsageError('GCS_DENIED', `${message} (check the credentials: Application Default Credentials, and their roles on the bucket)`, error);
    case 'transient':
      return new TransientError('GCS_UNAVAILABLE', `${message} (still failing after ${ATTEMPTS} attempts)`, error);
    default:
      return new VeloError('GCS_ERROR', message, { cause: error });
  }
}

/** A BigQuery failure as a typed error. */
export function bigqueryError(where: string, what: string, error: unknown): VeloError {
  if (error instanceof VeloError) return error;
  const message = `${where}: ${what}: ${head(error)}`;
  switch (classifyGoogleError(error)) {
    case 'denied':
      return new UsageError('BIGQUERY_DENIED', `${message} (check credentials and the project in --warehouse)`, error);
    case 'transient':
      return new TransientError('BIGQUERY_UNAVAILABLE', `${message} (still failing after ${ATTEMPTS} attempts)`, error);
    default:
      return new VeloError('BIGQUERY_ERROR', message, { cause: error });
  }
}
