/** Retry as a wrapper: exponential backoff with full jitter, for errors the caller says are transient. */
import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryOptions {
  attempts?: number;
  baseMs?: number;
  maxMs?: number;
  isRetryable: (error: unknown) => boolean;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  const attempts = options.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= attempts || !options.isRetryable(error)) throw error;
      const delayMs = Math.random() * Math.min(options.maxMs ?? 10_000, (options.baseMs ?? 200) * 2 ** (attempt - 1));
      options.onRetry?.(error, attempt, delayMs);
      await sleep(delayMs);
    }
  }
}
