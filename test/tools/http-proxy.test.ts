/**
 * The fault/latency proxy of test/support/http-proxy.ts, against a plain node:http upstream (every behaviour),
 * then in front of fake-gcs-server with the official storage client (what the fault-tolerance suite relies on).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createStorage } from '../../src/loader/gcp/clients.js';
import { callGoogle } from '../../src/loader/gcp/errors.js';
import { SKIP_WITHOUT_EMULATORS, startEmulators, uniqueName, type Emulators } from '../support/gcp.js';
import { INJECTED_503_BODY, isGcsDownload, startProxy, type HttpProxy } from '../support/http-proxy.js';

interface Seen {
  method: string;
  url: string;
  bytes: number;
}

/** A deterministic byte pattern (cheap to make, easy to check). */
function pattern(size: number, offset = 0): Buffer {
  const out = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) out[i] = ((offset + i) * 31 + 7) & 0xff;
  return out;
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
const MB = 1024 * 1024;

/** Test hooks of the upstream: /gated-download waits for `release` after its first MB; /gated-upload calls `firstChunk`. */
interface Gates {
  release?: Promise<void>;
  firstChunk?: () => void;
}

/** Upstream: records what reached it; the /gated-* routes wait for the test (proves streaming: no buffering). */
async function startUpstream(): Promise<{ url: string; seen: Seen[]; gates: Gates; connections: () => number; stop: () => Promise<void> }> {
  const seen: Seen[] = [];
  const gates: Gates = {};
  let connections = 0;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const hash = createHash('sha256');
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      if (bytes === 0 && url.pathname === '/gated-upload') gates.firstChunk?.();
      bytes += chunk.length;
      hash.update(chunk);
    });
    req.on('end', async () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', bytes });
      if (url.pathname === '/gated-download') {
        const size = Number(url.searchParams.get('mb') ?? '8') * MB;
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
        res.write(pattern(MB));
        await gates.release;
        for (let at = MB; at < size; at += MB) {
          if (!res.write(pattern(Math.min(MB, size - at), at))) await new Promise((r) => res.once('drain', r));
        }
        res.end();
        return;
      }
      if (url.pathname === '/redirect') {
        res.writeHead(201, { location: `http://${req.headers.host}/session/1?upload_id=x` });
        res.end();
        return;
      }
      const body = JSON.stringify({ method: req.method, url: req.url, bytes, sha256: hash.digest('hex'), host: req.headers.host });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    gates,
    connections: () => connections,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function request(url: string, options: { method?: string; body?: Buffer; agent?: http.Agent } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', agent: options.agent, headers: options.body ? { 'content-length': options.body.length } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('http proxy (node:http upstream)', () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  before(async () => {
    upstream = await startUpstream();
  });
  after(() => upstream.stop());

  test('forwards method, path, query and body; the upstream sees its own Host; keep-alive on both sides', async () => {
    const proxy = await startProxy({ upstream: upstream.url });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const before = upstream.connections();
      for (let i = 0; i < 20; i++) {
        const answer = await request(`${proxy.url}/echo/${i}?a=1&b=%2F`, { method: 'POST', body: Buffer.from(`body ${i}`), agent });
        assert.equal(answer.status, 200);
        const json = JSON.parse(answer.body.toString()) as { method: string; url: string; bytes: number; host: string };
        assert.deepEqual([json.method, json.url, json.bytes, json.host], ['POST', `/echo/${i}?a=1&b=%2F`, `body ${i}`.length, new URL(upstream.url).host]);
      }
      assert.equal(proxy.stats.connections, 1, 'one client connection for 20 requests');
      assert.equal(upstream.connections() - before, 1, 'one upstream connection for 20 requests');
      assert.deepEqual([proxy.stats.requests, proxy.stats.forwarded, proxy.stats.failed, proxy.stats.reset], [20, 20, 0, 0]);
    } finally {
      agent.destroy();
      await proxy.stop();
    }
  });

  test('latencyMs delays every request, concurrently (not one after the other)', async () => {
    const proxy = await startProxy({ upstream: upstream.url, latencyMs: 120 });
    try {
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        assert.equal((await request(`${proxy.url}/echo`)).status, 200);
        const ms = performance.now() - started;
        assert.ok(ms >= 115, `request took ${ms.toFixed(0)} ms, expected ≥ 120`);
      }
      const started = performance.now();
      await Promise.all(Array.from({ length: 20 }, (_, i) => request(`${proxy.url}/echo/${i}`)));
      const ms = performance.now() - started;
      assert.ok(ms >= 115 && ms < 1200, `20 concurrent requests took ${ms.toFixed(0)} ms: expected ~120, not 20 × 120`);
      assert.equal(proxy.stats.maxInFlight, 20);
      // Faults pay the latency too (a round trip is a round trip).
      proxy.configure({ failRate: 1 });
      const t = performance.now();
      assert.equal((await request(`${proxy.url}/echo`)).status, 503);
      assert.ok(performance.now() - t >= 115);
      proxy.configure({ failRate: 0, latencyMs: 0 });
      const t0 = performance.now();
      await request(`${proxy.url}/echo`);
      assert.ok(performance.now() - t0 < 100, 'configure() turns latency off');
    } finally {
      await proxy.stop();
    }
  });

  test('failRate: 503 with a Google API error body at the seeded rate, never forwarded, same requests for the same seed', async () => {
    const N = 600;
    const failing = async (seed: number, order: 'up' | 'down'): Promise<{ failed: Set<string>; proxy: HttpProxy; forwarded: number }> => {
      const proxy = await startProxy({ upstream: upstream.url, failRate: 0.2, seed });
      const seenBefore = upstream.seen.length;
      const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
      const failed = new Set<string>();
      try {
        const ids = Array.from({ length: N }, (_, i) => (order === 'up' ? i : N - 1 - i));
        await Promise.all(
          ids.map(async (i) => {
            const answer = await request(`${proxy.url}/item/${i}`, { agent });
            if (answer.status === 503) {
              assert.equal(answer.headers['content-type'], 'application/json; charset=UTF-8');
              assert.deepEqual(JSON.parse(answer.body.toString()), { error: { code: 503, message: 'injected', errors: [{ reason: 'backendError' }] } });
              assert.equal(answer.body.toString(), INJECTED_503_BODY);
              failed.add(`/item/${i}`);
            } else {
              assert.equal(answer.status, 200);
            }
          }),
        );
      } finally {
        agent.destroy();
        await proxy.stop();
      }
      return { failed, proxy, forwarded: upstream.seen.length - seenBefore };
    };
    const a = await failing(7, 'up');
    const b = await failing(7, 'down');
    const c = await failing(8, 'up');
    assert.equal(a.proxy.stats.failed, a.failed.size);
    assert.ok(a.failed.size >= N * 0.15 && a.failed.size <= N * 0.25, `${a.failed.size} of ${N} failed, expected ~${N * 0.2}`);
    assert.equal(a.forwarded, N - a.failed.size, 'a failed request never reaches the upstream');
    assert.deepEqual([...b.failed].sort(), [...a.failed].sort(), 'same seed, other arrival order: the same requests fail');
    assert.notDeepEqual([...c.failed].sort(), [...a.failed].sort(), 'another seed, other requests');
    assert.deepEqual(a.proxy.stats.faults.slice(0, 1).map((f) => [f.fate, f.method, f.attempt]), [['fail', 'GET', 1]]);
  });

  test('a retry draws again; maxFaultsPerRequest caps the faults per request; keep-alive survives a 503', async () => {
    const proxy = await startProxy({ upstream: upstream.url, failRate: 1, maxFaultsPerRequest: 2 });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await request(`${proxy.url}/retry`, { method: 'PUT', body: pattern(100_000), agent })).status);
      assert.deepEqual(statuses, [503, 503, 200, 200]);
      assert.deepEqual(proxy.stats.faults.map((f) => f.attempt), [1, 2]);
      assert.equal(proxy.stats.connections, 1, 'the 503s (request body discarded) kept the connection');
    } finally {
      agent.destroy();
      await proxy.stop();
    }
    // Without a cap, half the attempts of one request fail, independently.
    const half = await startProxy({ upstream: upstream.url, failRate: 0.5, seed: 3 });
    try {
      let failed = 0;
      for (let i = 0; i < 200; i++) if ((await request(`${half.url}/same`)).status === 503) failed++;
      assert.ok(failed > 70 && failed < 130, `${failed} of 200 retries failed`);
    } finally {
      await half.stop();
    }
  });

  test('resetRate: the upstream gets the whole request, the client gets ECONNRESET instead of the answer', async () => {
    const proxy = await startProxy({ upstream: upstream.url, resetRate: 1 });
    try {
      const body = pattern(3 * MB);
      const seenBefore = upstream.seen.length;
      await assert.rejects(request(`${proxy.url}/commit/job-1`, { method: 'POST', body }), (error: NodeJS.ErrnoException) => {
        assert.equal(error.code, 'ECONNRESET');
        return true;
      });
      const reached = upstream.seen.slice(seenBefore);
      assert.deepEqual(reached, [{ method: 'POST', url: '/commit/job-1', bytes: body.length }]);
      assert.deepEqual([proxy.stats.reset, proxy.stats.forwarded, proxy.stats.failed], [1, 1, 0]);
      assert.deepEqual(proxy.stats.faults, [{ fate: 'reset', method: 'POST', url: '/commit/job-1', attempt: 1 }]);
    } finally {
      await proxy.stop();
    }
  });

  test('the faultable predicate exempts requests from faults (not from latency)', async () => {
    const proxy = await startProxy({ upstream: upstream.url, failRate: 1, faultable: (r) => r.url.startsWith('/bigquery/v2/') });
    try {
      assert.equal((await request(`${proxy.url}/storage/v1/b/x/o`)).status, 200);
      assert.equal((await request(`${proxy.url}/bigquery/v2/projects/p/jobs`, { method: 'POST', body: Buffer.from('{}') })).status, 503);
      assert.deepEqual([proxy.stats.exempt, proxy.stats.failed], [1, 1]);
      assert.ok(isGcsDownload({ method: 'GET', url: '/storage/v1/b/b/o/raw%2Fx.json?alt=media', headers: {} }));
      assert.ok(!isGcsDownload({ method: 'GET', url: '/storage/v1/b/b/o/raw%2Fx.json', headers: {} }));
    } finally {
      await proxy.stop();
    }
  });

  test('streams a multi-MB body each way: the first MB crosses before the upstream or the client has sent the rest', async () => {
    const proxy = await startProxy({ upstream: upstream.url, latencyMs: 5 });
    try {
      // Download: the upstream sends 1 MB and waits; the client must already see it (a buffering proxy would hang).
      let release!: () => void;
      upstream.gates.release = new Promise<void>((resolve) => (release = resolve));
      const timeout = setTimeout(release, 5000);
      const got = await new Promise<{ firstMb: boolean; body: Buffer }>((resolve, reject) => {
        http
          .get(`${proxy.url}/gated-download?mb=24`, (res) => {
            const chunks: Buffer[] = [];
            let bytes = 0;
            let firstMb = false;
            res.on('data', (c: Buffer) => {
              chunks.push(c);
              bytes += c.length;
              if (!firstMb && bytes >= MB) {
                firstMb = true;
                clearTimeout(timeout);
                release();
              }
            });
            res.on('end', () => resolve({ firstMb, body: Buffer.concat(chunks) }));
            res.on('error', reject);
          })
          .on('error', reject);
      });
      clearTimeout(timeout);
      assert.ok(got.firstMb, 'the first MB arrived before the upstream sent the rest (it waited 5 s for it)');
      assert.equal(got.body.length, 24 * MB);
      assert.equal(sha256(got.body), sha256(pattern(24 * MB)));

      // Upload: the client sends 1 MB and waits until the upstream has it, then the other 23 MB.
      const total = 24 * MB;
      const answer = await new Promise<Answer>((resolve, reject) => {
        const firstChunk = new Promise<string>((resolve) => (upstream.gates.firstChunk = () => resolve('arrived')));
        const req = http.request(`${proxy.url}/gated-upload`, { method: 'POST', headers: { 'content-length': total } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        });
        req.on('error', reject);
        req.write(pattern(MB));
        void Promise.race([firstChunk, sleep(5000).then(() => 'timeout')]).then((what) => {
          if (what === 'timeout') return reject(new Error('the first MB did not reach the upstream: the proxy buffers uploads'));
          for (let at = MB; at < total; at += MB) req.write(pattern(MB, at));
          req.end();
        });
      });
      assert.equal(answer.status, 200);
      const json = JSON.parse(answer.body.toString()) as { bytes: number; sha256: string };
      assert.equal(json.bytes, total);
      assert.equal(json.sha256, sha256(pattern(total)));
    } finally {
      await proxy.stop();
    }
  });

  test('Location headers naming the upstream point back at the proxy; an unreachable upstream is a 502', async () => {
    const proxy = await startProxy({ upstream: upstream.url });
    try {
      const answer = await request(`${proxy.url}/redirect`, { method: 'POST' });
      assert.equal(answer.headers.location, `${proxy.url}/session/1?upload_id=x`);
    } finally {
      await proxy.stop();
    }
    const dead = await startProxy({ upstream: 'http://127.0.0.1:1' });
    try {
      const answer = await request(`${dead.url}/x`);
      assert.equal(answer.status, 502);
      assert.equal(dead.stats.upstreamErrors, 1);
    } finally {
      await dead.stop();
    }
  });
});

describe('http proxy in front of fake-gcs-server (official storage client)', { skip: SKIP_WITHOUT_EMULATORS }, () => {
  let emu: Emulators;
  before(async () => {
    emu = await startEmulators();
  });
  after(() => emu?.stop());

  test('uploads (multipart and resumable), listing and downloads go through; 503s and resets reach the client, and velo\'s retry layer gets past them', async () => {
    const proxy = await startProxy({ upstream: emu.env.VELO_GCS_ENDPOINT!, latencyMs: 10 });
    try {
      const storage = createStorage({ projectId: emu.project, gcsEndpoint: proxy.url });
      const name = uniqueName('proxy').toLowerCase().replace(/_/g, '-');
      await storage.createBucket(name);
      const bucket = storage.bucket(name);
      const small = pattern(160_000);
      const big = pattern(6 * MB);
      for (const file of ['small', 'reset-1', 'reset-2']) await bucket.file(`raw/${file}.json`).save(small, { resumable: false });
      const resumableBefore = proxy.stats.requests;
      await bucket.file('raw/big.bin').save(big, { resumable: true });
      // The resumable session's URL (fake-gcs-server names itself in Location) came back through the proxy.
      assert.ok(proxy.stats.requests - resumableBefore >= 2, 'session start and upload both through the proxy');

      // 503s on downloads: the client does not retry (createStorage switches its retries off), velo's one retry
      // layer (callGoogle) does.
      assert.equal(storage.retryOptions.autoRetry, false);
      proxy.configure({ failRate: 0.5, maxFaultsPerRequest: 2, faultable: isGcsDownload });
      await assert.rejects(
        (async () => {
          for (let i = 0; i < 6; i++) await bucket.file('raw/small.json').download();
        })(),
        /injected/,
        'without the retry layer a 503 reaches the caller',
      );
      for (let i = 0; i < 6; i++) {
        const [bytes] = await callGoogle(() => bucket.file('raw/small.json').download());
        assert.equal(sha256(bytes), sha256(small));
      }
      const [bigBytes] = await callGoogle(() => bucket.file('raw/big.bin').download());
      assert.equal(sha256(bigBytes), sha256(big));
      assert.ok(proxy.stats.failed > 0, 'some downloads were answered 503 and retried');
      const [files] = await callGoogle(() => bucket.getFiles({ prefix: 'raw/' }));
      assert.deepEqual(files.map((f) => f.name).sort(), ['raw/big.bin', 'raw/reset-1.json', 'raw/reset-2.json', 'raw/small.json']);
      assert.ok(proxy.stats.exempt > 0, 'the listing was exempt');

      // A reset download: the upstream served it, the client saw ECONNRESET; the retry layer asks again.
      proxy.configure({ failRate: 0, resetRate: 1, maxFaultsPerRequest: 1 });
      await assert.rejects(bucket.file('raw/reset-1.json').download(), (error: NodeJS.ErrnoException) => error.code === 'ECONNRESET');
      const [again] = await callGoogle(() => bucket.file('raw/reset-2.json').download());
      assert.equal(sha256(again), sha256(small));
      assert.deepEqual(proxy.stats.faults.filter((f) => f.fate === 'reset').map((f) => f.url.replace(/\?.*/, '')), [`/storage/v1/b/${name}/o/raw%2Freset-1.json`, `/storage/v1/b/${name}/o/raw%2Freset-2.json`]);
    } finally {
      await proxy.stop();
    }
  });
});
