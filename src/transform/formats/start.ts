/** File-level starts shared by formats whose records carry no record_timestamp of their own. */
import type { FileContext, FileStart } from '../types.js';
import { NAME_HINT, collectionTime } from './times.js';

export const DEFAULT_TIMEZONE = 'Europe/Paris';
export const DEFAULT_NETWORK = 'vlille';

/** The collection time in the file name becomes the records' record_timestamp; a name without one rejects the file. */
export function startFromName(context: FileContext): FileStart {
  const at = collectionTime(context.name, context.timezone ?? DEFAULT_TIMEZONE);
  if (at === null) return { code: 'NO_COLLECTION_TIME', reject: `this format has no snapshot time of its own and the file name holds none: ${NAME_HINT}` };
  return { context: { ...context, fileTimestamp: at } };
}
