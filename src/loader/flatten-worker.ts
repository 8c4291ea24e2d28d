/** Worker-thread entry: CPU-bound decode + parse + flatten of one whole file, off the main thread. */
import { flattenFileBytes, type FileOutcome } from '../transform/flatten-file.js';

export interface FlattenTask {
  bytes: Uint8Array;
  name: string;
}

export default function flatten(task: FlattenTask): FileOutcome {
  return flattenFileBytes(task.bytes, { name: task.name });
}
