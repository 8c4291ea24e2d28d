#!/usr/bin/env -S node --max-semi-space-size=4 --expose-gc
// The V8 flag caps the main thread's young generation (it can only be set when node starts): under the GCS
// client's allocation rate V8 grew it to 3 × 16 MiB, ~40–90 MB of RSS for nothing (see docs/performance.md).
// --expose-gc lets the run collect the read stage's garbage before the warehouse loads (src/loader/run.ts).
// Everything that starts the CLI passes the flags of this line: the Dockerfile, `npm start`, the tests, the bench.
// The memory bound does not rest on them: started as plain `node dist/cli/main.js` the run exposes gc itself and
// sizes the workers' young generations as the flag would (src/loader/runtime/heap.ts, workers/parse-pool.ts); only
// the main thread's own young generation cannot be capped after start (docs/performance.md).
import { main } from './app.js';

process.exitCode = await main(process.argv.slice(2));
