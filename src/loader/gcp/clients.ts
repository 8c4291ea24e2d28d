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

export function createStorage(options: GcpOptions): Storage {
  if (options.gcsEndpoint) return new Storage({ projectId: options.projectId ?? 'test', apiEndpoint: options.gcsEndpoint });
  return new Storage(options.projectId ? { projectId: options.projectId } : {});
}

export function createBigQuery(options: GcpOptions & { projectId: string }): BigQuery {
  if (options.bigqueryEndpoint) {
    return new BigQuery({ projectId: options.projectId, apiEndpoint: options.bigqueryEndpoint, location: options.location, authClient: emulatorAuth() as never });
  }
  return new BigQuery({ projectId: options.projectId, location: options.location });
}

/** HTTP status of a client error, if it has one. */
export function statusOf(error: unknown): number | undefined {
  const e = error as { code?: unknown; response?: { status?: number } };
  if (typeof e?.code === 'number') return e.code;
  return e?.response?.status;
}

/** Errors worth retrying: rate limits, server errors, dropped connections. */
export function isTransient(error: unknown): boolean {
  const status = statusOf(error);
  if (status !== undefined) return status === 408 || status === 429 || status >= 500;
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND'].includes(code);
}
