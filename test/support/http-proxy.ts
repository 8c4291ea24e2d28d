/**
 * A small reverse proxy on 127.0.0.1 in front of one upstream emulator (fake-gcs-server, bigquery-emulator), for
 * tests and benchmarks: it adds latency, answers some requests 503, or resets the connection after the upstream has
 * done the work. Dependency-free (node:http), streaming both ways, keep-alive on both sides.
 *
 *   const proxy = await startProxy({ upstream: emu.env.VELO_GCS_ENDPOINT!, latencyMs: 40, failRate: 0.05, seed: 1 });
 *   … point the client (or the CLI: VELO_GCS_ENDPOINT / --gcs-endpoint) at proxy.url …
 *   proxy.stats.failed; proxy.stats.listings[bucket]?.entries; await proxy.stop();
 *
 * What happens to a request, in order:
 *  1. it is counted (`stats.requests`) and its fate is drawn: `fail` with probability failRate, else `reset` with
 *     probability resetRate, else `forward` — only for requests the `faultable` predicate accepts (all by default);
 *  2. it waits `latencyMs` (every request, faulted or not: a round trip costs the same whatever the answer);
 *  3. `fail`: answered 503 with a Google-style JSON error body, without reaching the upstream (the request body is
 *     read and discarded, so the keep-alive connection stays usable);
 *     `reset`: forwarded whole, the upstream's answer read to its end (the request took effect), then the client's
 *     socket is reset (TCP RST): the client sees ECONNRESET / "socket hang up", never the answer;
 *     `forward`: request and answer streamed through (a 500 MB upload is never held in memory). A `Location` header
 *     naming the upstream is rewritten to the proxy (fake-gcs-server's resumable upload sessions), so follow-up
 *     requests come back through the proxy too.
 *
 * Determinism: the fate of the n-th request with a given method and URL (path and query) depends only on
 * (seed, method, URL, n). Concurrent clients can interleave differently from one run to the next and still see the
 * same requests fail; a retry of a failed request is the (n+1)-th and draws again. Requests that share a URL
 * (multipart uploads to one bucket, for instance) are told apart only by their order. `maxFaultsPerRequest` caps
 * the faults per method + URL, so a client that retries that many times always gets through.
 * For a scripted fault (exactly "the first load job"), give failRate or resetRate 1 and a stateful predicate.
 *
 * The BigQuery emulator reads gs:// load URIs straight from fake-gcs-server (STORAGE_EMULATOR_HOST), not through a
 * proxy in front of it.
 */
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { AddressInfo, Socket } from 'node:net';
import { random } from './vlille-synth.js';

export interface ProxyRequest {
  method: string;
  /** Path and query, as received. */
  url: string;
  headers: http.IncomingHttpHeaders;
}

export type Fate = 'forward' | 'fail' | 'reset';

export interface ProxyOptions {
  /** `http://127.0.0.1:PORT` of the emulator. */
  upstream: string;
  /** Delay before each request is acted on (forwarded or failed), in ms. Default 0. */
  latencyMs?: number;
  /** Fraction of faultable requests answered 503 without being forwarded. Default 0. */
  failRate?: number;
  /** Fraction of faultable requests forwarded, then answered with a reset connection. Default 0. */
  resetRate?: number;
  /** Seed of the fault draws. Default 1. */
  seed?: number;
  /** Which requests may be faulted (the others are only delayed); called once per request. Default: all. */
  faultable?: (request: ProxyRequest) => boolean;
  /** At most this many faults per method + URL (then it is always forwarded). Default: no limit. */
  maxFaultsPerRequest?: number;
}

/** Settings that can be changed while the proxy runs (e.g. upload a corpus first, then turn faults on). */
export type ProxySettings = Pick<ProxyOptions, 'latencyMs' | 'failRate' | 'resetRate' | 'faultable' | 'maxFaultsPerRequest'>;

export interface ProxyFault {
  fate: Exclude<Fate, 'forward'>;
  method: string;
  url: string;
  /** 1 for the first request with this method and URL, 2 for the next (a retry), … */
  attempt: number;
}

/** Live counters: read them at any time. */
export interface ProxyStats {
  /** Client connections accepted (keep-alive: many requests per connection). */
  connections: number;
  /** Requests received. */
  requests: number;
  /** Requests the predicate exempted from faults. */
  exempt: number;
  /** Answered 503 without forwarding. */
  failed: number;
  /** Forwarded, then the client socket reset instead of the answer. */
  reset: number;
  /** Sent to the upstream (reset ones included). */
  forwarded: number;
  /** Forwarded requests that failed between the proxy and the upstream (answered 502, or cut mid-answer). */
  upstreamErrors: number;
  /** Requests being handled now, and the most at once: how much concurrency a client really reached. */
  inFlight: number;
  maxInFlight: number;
  /** Every injected fault, in order (the first 10,000). */
  faults: ProxyFault[];
  /** GCS object listings answered 200, per bucket: list requests, and the object entries (`items`) they returned. */
  listings: Record<string, { requests: number; entries: number }>;
}

export interface HttpProxy {
  /** `http://127.0.0.1:PORT`: use it as the client's endpoint. */
  url: string;
  stats: ProxyStats;
  /** Change latency or fault rates from now on (requests already waiting keep their fate). */
  configure(settings: ProxySettings): void;
  /** Close the listener and every connection, both sides. */
  stop(): Promise<void>;
}

export const INJECTED_503_BODY = JSON.stringify({ error: { code: 503, message: 'injected', errors: [{ reason: 'backendError' }] } });
const MAX_FAULT_LOG = 10_000;
/** Per-connection headers, never forwarded (RFC 9110 §7.6.1), plus Expect: the proxy answers 100-continue itself. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'upgrade', 'expect']);

/** Predicates for `faultable`. */
export const isBigQueryApi = (request: ProxyRequest): boolean => request.url.startsWith('/bigquery/v2/');
/** An object download through the JSON API (`?alt=media`) or the download host path. */
export const isGcsDownload = (request: ProxyRequest): boolean =>
  request.method === 'GET' && (request.url.startsWith('/download/') || /[?&]alt=media(&|$)/.test(request.url));
export const isGcsUpload = (request: ProxyRequest): boolean => request.url.startsWith('/upload/');
export const isGcsListing = (request: ProxyRequest): boolean => request.method === 'GET' && /^\/storage\/v1\/b\/[^/]+\/o(\?|$)/.test(request.url);

/** FNV-1a, 32 bits: seeds one mulberry32 draw per (seed, method, URL, attempt). */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function rate(value: number | undefined, name: string): number {
  const r = value ?? 0;
  if (!(r >= 0 && r <= 1)) throw new RangeError(`${name} must be within [0, 1], got ${value}`);
  return r;
}

function forwardedHeaders(headers: http.IncomingHttpHeaders, host: string): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  // The upstream sees its own name (fake-gcs-server tells path-style from virtual-host requests by Host).
  out.host = host;
  return out;
}

/** Counts the entries of a listing answer as it streams through (pages are small: ≤ 1,000 entries). */
function countListing(stats: ProxyStats, request: ProxyRequest, answer: http.IncomingMessage): void {
  const bucket = decodeURIComponent(/^\/storage\/v1\/b\/([^/]+)\/o/.exec(request.url)![1]!);
  const chunks: Buffer[] = [];
  answer.on('data', (chunk: Buffer) => chunks.push(chunk));
  answer.on('end', () => {
    let body = Buffer.concat(chunks);
    if (/gzip/i.test(String(answer.headers['content-encoding'] ?? ''))) body = gunzipSync(body);
    const items = (JSON.parse(body.toString('utf8')) as { items?: unknown[] }).items ?? [];
    const counts = (stats.listings[bucket] ??= { requests: 0, entries: 0 });
    counts.requests++;
    counts.entries += items.length;
  });
}

export async function startProxy(options: ProxyOptions): Promise<HttpProxy> {
  const upstream = new URL(options.upstream);
  if (upstream.protocol !== 'http:') throw new Error(`startProxy: upstream must be http://, got ${options.upstream}`);
  const seed = options.seed ?? 1;
  let settings: Required<Omit<ProxySettings, 'faultable'>> & Pick<ProxySettings, 'faultable'> = {
    latencyMs: 0,
    failRate: 0,
    resetRate: 0,
    maxFaultsPerRequest: Number.POSITIVE_INFINITY,
  };
  const configure = (next: ProxySettings): void => {
    const latencyMs = next.latencyMs ?? settings.latencyMs;
    const failRate = rate(next.failRate ?? settings.failRate, 'failRate');
    const resetRate = rate(next.resetRate ?? settings.resetRate, 'resetRate');
    const maxFaultsPerRequest = next.maxFaultsPerRequest ?? settings.maxFaultsPerRequest;
    if (failRate + resetRate > 1) throw new RangeError(`failRate + resetRate must be ≤ 1, got ${failRate + resetRate}`);
    if (!(latencyMs >= 0 && Number.isFinite(latencyMs))) throw new RangeError(`latencyMs must be a finite number ≥ 0, got ${latencyMs}`);
    if (!(maxFaultsPerRequest >= 0)) throw new RangeError(`maxFaultsPerRequest must be ≥ 0, got ${maxFaultsPerRequest}`);
    // `faultable: undefined` given explicitly puts every request back in play.
    settings = { latencyMs, failRate, resetRate, maxFaultsPerRequest, faultable: 'faultable' in next ? next.faultable : settings.faultable };
  };
  configure(options);

  const stats: ProxyStats = { connections: 0, requests: 0, exempt: 0, failed: 0, reset: 0, forwarded: 0, upstreamErrors: 0, inFlight: 0, maxInFlight: 0, faults: [], listings: {} };
  /** Requests seen per method + URL, and faults injected per method + URL. */
  const attempts = new Map<string, number>();
  const faultsPer = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const agent = new http.Agent({ keepAlive: true });
  let origin = '';

  const decide = (request: ProxyRequest): { fate: Fate; attempt: number } => {
    const key = `${request.method} ${request.url}`;
    const attempt = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, attempt);
    if (settings.failRate === 0 && settings.resetRate === 0) return { fate: 'forward', attempt };
    if (settings.faultable && !settings.faultable(request)) {
      stats.exempt++;
      return { fate: 'forward', attempt };
    }
    if ((faultsPer.get(key) ?? 0) >= settings.maxFaultsPerRequest) return { fate: 'forward', attempt };
    const draw = random(hash32(`${seed}\u0000${key}\u0000${attempt}`))();
    const fate: Fate = draw < settings.failRate ? 'fail' : draw < settings.failRate + settings.resetRate ? 'reset' : 'forward';
    if (fate !== 'forward') {
      faultsPer.set(key, (faultsPer.get(key) ?? 0) + 1);
      if (stats.faults.length < MAX_FAULT_LOG) stats.faults.push({ fate, method: request.method, url: request.url, attempt });
    }
    return { fate, attempt };
  };

  const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    stats.requests++;
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      stats.inFlight--;
    };
    res.on('close', finish);
    const request: ProxyRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers };
    const { fate } = decide(request);

    const act = (): void => {
      // The client went away while the request waited.
      if (res.destroyed || req.socket.destroyed) return;
      if (fate === 'fail') {
        stats.failed++;
        req.resume();
        res.writeHead(503, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(INJECTED_503_BODY) });
        res.end(INJECTED_503_BODY);
        return;
      }
      stats.forwarded++;
      const up = http.request({
        protocol: upstream.protocol,
        hostname: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        headers: forwardedHeaders(req.headers, upstream.host),
        agent,
      });
      // The client gave up (or was reset): stop the upstream exchange too.
      res.on('close', () => {
        if (!res.writableFinished && fate !== 'reset') up.destroy();
      });
      req.on('error', () => up.destroy());
      let wasReset = false;
      up.on('error', (error) => {
        if (wasReset) return;
        stats.upstreamErrors++;
        if (res.headersSent) {
          res.destroy(error);
          return;
        }
        req.resume();
        const body = JSON.stringify({ error: { code: 502, message: `proxy: upstream ${upstream.host}: ${error.message}`, errors: [{ reason: 'badGateway' }] } });
        res.writeHead(502, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
      up.on('response', (upRes) => {
        if (fate === 'reset') {
          // The upstream did the work; the client never hears of it.
          upRes.resume();
          upRes.on('end', () => {
            wasReset = true;
            stats.reset++;
            const socket = req.socket as Socket & { resetAndDestroy?: () => Socket };
            if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
            else socket.destroy();
          });
          return;
        }
        const headers: http.OutgoingHttpHeaders = {};
        for (const [name, value] of Object.entries(upRes.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
        if (typeof headers.location === 'string' && headers.location.startsWith(upstream.origin)) {
          headers.location = origin + headers.location.slice(upstream.origin.length);
        }
        res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, headers);
        upRes.on('error', (error) => {
          stats.upstreamErrors++;
          res.destroy(error);
        });
        if (upRes.statusCode === 200 && isGcsListing(request)) countListing(stats, request, upRes);
        upRes.pipe(res);
      });
      req.pipe(up);
    };

    if (settings.latencyMs > 0) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        act();
      }, settings.latencyMs);
      timers.add(timer);
    } else {
      act();
    }
  };

  const server = http.createServer(handle);
  // Longer than any client's idle keep-alive, so a client never reuses a socket that the proxy is closing
  // (that race would surface as an ECONNRESET that nobody injected).
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 125_000;
  server.requestTimeout = 0;
  server.on('connection', () => stats.connections++);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let stopped: Promise<void> | null = null;
  return {
    url: origin,
    stats,
    configure,
    stop: () =>
      (stopped ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      })),
  };
}
