#!/usr/bin/env -S node --max-semi-space-size=4 --expose-gc
// The V8 flag caps the main thread's young generation (it can only be set when node starts): under the GCS
// client's allocation rate V8 grew it to 3 × 16 MiB, ~40–90 MB of RSS for nothing (see docs/performance.md).
// --expose-gc lets the run collect the read stage's garbage before the warehouse loads (src/loader/run.ts).
// Everything that starts the CLI passes the flags of this line: the Dockerfile, `npm start`, the tests, the bench.
import { main } from './app.js';

process.exitCode = await main(process.argv.slice(2));
