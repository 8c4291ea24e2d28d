import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ShardWriter } from '../../src/loader/staging/shards.js';
import { tempDir } from '../support/cli.js';

test('ShardWriter: small lines gathered as bytes, big texts as they are, in order; shards rotate by size', async () => {
  const dir = tempDir('velo-shard-writer-');
  const writer = new ShardWriter(dir, 'stations', 3 * 2 ** 20);
  const pieces: string[] = [];
  for (let i = 0; i < 30_000; i++) {
    // Multi-byte text (é, 𝄞, a lone surrogate) and, now and then, a piece larger than the write batch.
    const piece = i % 7_000 === 6_999 ? `${'x'.repeat(600_000)}\n` : `{"id":${i},"nom":"é𝄞\uD800 ${'y'.repeat(i % 300)}"}\n`;
    pieces.push(piece);
    await writer.write(piece);
  }
  await writer.write('');
  const shards = await writer.close();
  assert.ok(shards.length > 1, `${shards.length} shard(s)`);
  assert.equal(shards.map((shard) => readFileSync(shard, 'utf8')).join(''), Buffer.from(pieces.join('')).toString('utf8'));
});
