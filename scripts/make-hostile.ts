/**
 * Writes the hostile corpus (test/support/hostile-corpus.ts) into a folder, for trying the loader by hand:
 *   node --import tsx scripts/make-hostile.ts DIR
 *   node dist/cli/main.js run --source DIR --warehouse duckdb:/tmp/hostile.duckdb
 * Deterministic (same bytes every time); ~130 MB, mostly a few big files. Never committed.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { HOSTILE_FILES, SIXTY_THOUSAND_STATIONS, writeHostileFiles } from '../test/support/hostile-corpus.js';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node --import tsx scripts/make-hostile.ts DIR');
  process.exit(2);
}
mkdirSync(dir, { recursive: true });
const files = [...HOSTILE_FILES, SIXTY_THOUSAND_STATIONS];
writeHostileFiles(dir, files);
for (const file of files) {
  const expect = 'code' in file.expect ? `rejected ${file.expect.code}` : `${file.expect.rows} rows, ${file.expect.rejects.length} rejected record(s)`;
  console.log(`${file.name.padEnd(32)} ${file.about.padEnd(72)} → ${expect}`);
}
console.log(`${files.length} files written to ${path.resolve(dir)}`);
