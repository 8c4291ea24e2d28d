/**
 * One network per dataset: the first run into a dataset records its --network (`velo_meta`); a run with
 * another network stops before it reads anything (exit 2). A dataset loaded before networks were recorded
 * holds V'lille minutes: it counts as `vlille`.
 */
import { UsageError } from '../../errors.js';
import type { Warehouse } from '../warehouses/warehouse.js';

/** What a dataset with files but no network recorded holds (every run before issue 19 loaded V'lille). */
export const LEGACY_NETWORK = 'vlille';

/** The network the dataset holds, and whether it is recorded (null: an empty dataset, nothing recorded). */
export async function datasetNetwork(warehouse: Warehouse): Promise<{ network: string; recorded: boolean } | null> {
  const [row] = await warehouse.runSql('network');
  if (Number(row?.networks ?? 0) > 1) throw new UsageError('MIXED_NETWORKS', `${warehouse.description} records more than one network in velo_meta: keep one row (key 'network')`);
  if (row?.network !== null && row?.network !== undefined) return { network: String(row.network), recorded: true };
  return Number(row?.files ?? 0) > 0 ? { network: LEGACY_NETWORK, recorded: false } : null;
}

/** Exit 2 (a usage error) when the dataset holds another network; else record this one if it is not yet. */
export async function claimNetwork(warehouse: Warehouse, network: string): Promise<void> {
  const held = await datasetNetwork(warehouse);
  if (held && held.network.toLowerCase() !== network.toLowerCase()) {
    throw new UsageError('WRONG_NETWORK', `${warehouse.description} holds network "${held.network}"; this run loads --network ${network}: one network per dataset (use another dataset or DuckDB file, or --network ${held.network})`);
  }
  if (!held?.recorded) await warehouse.runSql('claim_network', { network: held?.network ?? network });
}
