/**
 * The official Google Cloud clients, built once per run. In production they use Application Default
 * Credentials; with an endpoint (emulators on 127.0.0.1) they send a dummy bearer token instead.
 */
import { BigQuery } from '@google-cloud/bigquery';
import { Storage } from '@google-cloud/storage';
import { OAuth2Client } from 'google-auth-library';

export interface GcpOptions {
  projectId?: string;
  gcsEndpoint?: string;
  bigqueryEndpoint?: string;
  location?: string;
}

/** Emulators accept any token; a fixed one keeps the clients from looking for credentials. */
function emulatorAuth(): OAuth2Client {
  const client = new OAuth2Client();
  client.setCredentials({ access_token: 'emulator', expiry_date: Date.now() + 365 * 24 * 3600 * 1000 });
  return client;
}

/** The clients do not retry on their own: errors.ts is the one retry layer (it knows which failures are safe to retry). */
const NO_CLIENT_RETRIES = { retryOptions: { autoRetry: false, maxRetries: 0 } };

export function createStorage(options: GcpOptions): Storage {
  if (options.gcsEndpoint) return new Storage({ projectId: options.projectId ?? 'test', apiEndpoint: options.gcsEndpoint, ...NO_CLIENT_RETRIES });
  return new Storage({ ...(options.projectId ? { projectId: options.projectId } : {}), ...NO_CLIENT_RETRIES });
}

export function createBigQuery(options: GcpOptions & { projectId: string }): BigQuery {
  if (options.bigqueryEndpoint) {
    return new BigQuery({ projectId: options.projectId, apiEndpoint: options.bigqueryEndpoint, location: options.location, authClient: emulatorAuth() as never, ...NO_CLIENT_RETRIES });
  }
  return new BigQuery({ projectId: options.projectId, location: options.location, ...NO_CLIENT_RETRIES });
}
