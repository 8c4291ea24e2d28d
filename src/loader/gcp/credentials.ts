/**
 * Application Default Credentials, looked for once before the first real GCS or BigQuery call (emulator
 * endpoints need none). Without this check the official clients send their requests with no token when they
 * find no credentials: the API answers 401, or, without a network, nothing at all, which read as "a temporary
 * failure" after 8 attempts. And gcp-metadata prints a Node `MetadataLookupWarning` when its probe of the
 * metadata server fails in a way it did not expect (no network, a reset): that probe is our question, and its
 * answer is in our message, so the warning is not printed while we ask.
 */
import { GoogleAuth } from 'google-auth-library';
import { UsageError, errorMessage } from '../../errors.js';

export const CREDENTIALS_HINT =
  'run `gcloud auth application-default login` (or set GOOGLE_APPLICATION_CREDENTIALS to a service-account key file; on Cloud Run the job uses its service account)';

const SCOPES = ['https://www.googleapis.com/auth/cloud-platform'];

let lookup: Promise<void> | null = null;

/** Resolves when Application Default Credentials exist; a UsageError (exit 2) with the gcloud hint when not. */
export function requireCredentials(): Promise<void> {
  lookup ??= findCredentials();
  return lookup;
}

async function findCredentials(): Promise<void> {
  const restore = muteMetadataWarnings();
  try {
    await new GoogleAuth({ scopes: SCOPES }).getClient();
  } catch (error) {
    const reason = errorMessage(error).split('. ')[0] ?? '';
    throw new UsageError('NO_CREDENTIALS', `no Google Cloud credentials (${reason}): ${CREDENTIALS_HINT}`, error);
  } finally {
    restore();
  }
}

/** Drops `MetadataLookupWarning`s until the returned function is called; every other warning goes through. */
function muteMetadataWarnings(): () => void {
  const original = process.emitWarning;
  const filtered = (warning: string | Error, ...rest: unknown[]): void => {
    const option = rest[0];
    const type = typeof option === 'string' ? option : (option as { type?: string } | undefined)?.type;
    if (type === 'MetadataLookupWarning' || (warning instanceof Error && warning.name === 'MetadataLookupWarning')) return;
    (original as (...args: unknown[]) => void).call(process, warning, ...rest);
  };
  process.emitWarning = filtered as typeof process.emitWarning;
  return () => {
    process.emitWarning = original;
  };
}
