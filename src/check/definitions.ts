/**
 * The checks: name, severity, what their count counts, their rule in words, and the parameters of their
 * SQL file (sql/<dialect>/checks/<name>.sql). Every parameter is a string: BigQuery casts them in SQL.
 */
import { windowParams } from '../loader/sources/window.js';
import { formatDuration } from './durations.js';
import { CAPACITY_MIN_ROWS, type CheckOptions } from './options.js';
import type { Severity } from './types.js';

/** What the definitions need beyond the options: known once the window's summary is read. */
export interface CheckContext {
  expectedStations: number;
  nowMs: number;
}

export interface CheckDefinition {
  name: string;
  severity: Severity;
  unit: string;
  rule(options: CheckOptions, context: CheckContext): string;
  params(options: CheckOptions, context: CheckContext): Record<string, string>;
  /** Absent: always run. */
  enabled?(options: CheckOptions): string | true;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const windowOnly = (options: CheckOptions): Record<string, string> => windowParams(options.window);

export const CHECKS: readonly CheckDefinition[] = [
  {
    name: 'snapshot_completeness',
    severity: 'error',
    unit: 'snapshots',
    rule: (o, c) => `snapshots with fewer than ${c.expectedStations} stations${o.expectedStations === undefined ? ' (the typical count)' : ''}`,
    params: (o, c) => ({ ...windowOnly(o), expected: String(c.expectedStations) }),
  },
  {
    name: 'gaps',
    severity: 'error',
    unit: 'gaps',
    rule: (o) => `no snapshot for more than ${formatDuration(o.maxGapMs)}`,
    params: (o, c) => ({
      ...windowOnly(o),
      max_gap_ms: String(o.maxGapMs),
      // The window's given ends are edges of the series; the end no later than now (the future is no hole).
      start_edge: Number.isFinite(o.window.fromMs) ? iso(o.window.fromMs) : '',
      end_edge: Number.isFinite(o.window.toMs) ? iso(Math.min(o.window.toMs, c.nowMs)) : '',
    }),
  },
  {
    name: 'duplicates',
    severity: 'error',
    unit: 'surplus rows',
    rule: () => 'rows sharing (station_id, record_timestamp)',
    params: windowOnly,
  },
  {
    name: 'nulls',
    severity: 'error',
    unit: 'rows',
    rule: () => 'rows with a null station_id, etat, nb_velos_dispo, nb_places_dispo, etat_connexion or derniere_maj',
    params: windowOnly,
  },
  {
    name: 'negative_counts',
    severity: 'error',
    unit: 'rows',
    rule: () => 'rows with nb_velos_dispo or nb_places_dispo below 0',
    params: windowOnly,
  },
  {
    name: 'capacity',
    severity: 'warn',
    unit: 'rows',
    rule: (o) => `bikes + docks above the station's capacity (its largest total seen in ≥ ${o.capacitySupportPct}% and ≥ ${CAPACITY_MIN_ROWS} of its rows)`,
    params: (o) => ({ ...windowOnly(o), support_pct: String(o.capacitySupportPct) }),
  },
  {
    name: 'stale_stations',
    severity: 'warn',
    unit: 'stations',
    rule: (o) => `stations EN SERVICE whose derniere_maj lags the snapshot by more than ${formatDuration(o.maxStalenessMs)}`,
    params: (o) => ({ ...windowOnly(o), max_staleness_ms: String(o.maxStalenessMs) }),
  },
  {
    name: 'orphans',
    severity: 'error',
    unit: 'rows',
    rule: () => 'records whose station_id is not in stations',
    params: windowOnly,
  },
  {
    name: 'freshness',
    severity: 'error',
    unit: 'stale snapshots',
    rule: (o) => `newest snapshot older than ${formatDuration(o.maxAgeMs ?? 0)}`,
    params: (o, c) => ({ ...windowOnly(o), now: iso(c.nowMs), max_age_ms: String(o.maxAgeMs ?? 0) }),
    enabled: (o) => o.maxAgeMs !== undefined || 'not run: give --max-age',
  },
  {
    name: 'manifest',
    severity: 'warn',
    unit: 'files',
    rule: () => 'loaded files with no rows in their time range, and rows from files not in the manifest',
    params: windowOnly,
  },
];
