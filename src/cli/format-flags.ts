/** --input-format and --network: checked here, with what to write instead. */
import { UsageError } from '../errors.js';
import { FORMAT_IDS } from '../transform/formats.js';
import { DEFAULT_NETWORK } from '../transform/formats/start.js';
import { closest } from './suggest.js';

export { DEFAULT_NETWORK };

const NETWORK = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** A network name: letters, digits, _ and -, as recorded in the warehouse. */
export function checkNetwork(name: string): string {
  if (!NETWORK.test(name)) throw new UsageError('BAD_NETWORK', `--network "${name}": use 1-64 letters, digits, _ and - (e.g. vlille, lyon)`);
  return name;
}

/** `auto`, or one of the known format ids. */
export function checkInputFormat(id: string): string {
  if (id === 'auto' || FORMAT_IDS.includes(id)) return id;
  const guess = closest(id, ['auto', ...FORMAT_IDS]);
  const hint = guess ? ` (did you mean ${guess}?)` : '';
  throw new UsageError('BAD_INPUT_FORMAT', `--input-format "${id}" is not a known format${hint}: use auto or one of ${FORMAT_IDS.join(', ')}`);
}
