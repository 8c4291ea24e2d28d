/**
 * Problems injected into a copy of a clean backfill of test/fixtures/sample-corpus, written once for both
 * dialects. Each must make exactly one check fail, with this count, and leave every other check passing.
 * The corpus: 289 stations, snapshots at 18:00–18:19 UTC (20:00–20:19 in Paris) on 2023-08-24, none at
 * 18:11 (the degraded minute).
 */
export type Dialect = 'duckdb' | 'bigquery';

export interface Sql {
  /** A table name as the dialect writes it. */
  table(name: 'records' | 'stations' | '_velo_files'): string;
  /** The snapshot taken during minute `m` (0–19) after 18:00 UTC. */
  minute(m: number): string;
  ts(iso: string): string;
  minusHours(column: string, hours: number): string;
}

export function dialectSql(dialect: Dialect, dataset = ''): Sql {
  const ts = (iso: string): string => (dialect === 'duckdb' ? `TIMESTAMPTZ '${iso}'` : `TIMESTAMP '${iso}'`);
  const at = (m: number): string => `2023-08-24 18:${String(m).padStart(2, '0')}:00+00`;
  return {
    table: (name) => (dialect === 'duckdb' ? `"${name}"` : `\`${dataset}.${name}\``),
    minute: (m) => `record_timestamp >= ${ts(at(m))} AND record_timestamp < ${ts(at(m + 1))}`,
    ts,
    minusHours: (column, hours) => (dialect === 'duckdb' ? `${column} - INTERVAL ${hours} HOUR` : `TIMESTAMP_SUB(${column}, INTERVAL ${hours} HOUR)`),
  };
}

export interface Injection {
  /** The check that must fail. */
  check: string;
  count: number;
  what: string;
  statements(sql: Sql): string[];
  flags?: string[];
}

export const INJECTIONS: Injection[] = [
  {
    check: 'snapshot_completeness',
    count: 1,
    what: 'three stations missing from the 18:05 snapshot',
    statements: (s) => [`DELETE FROM ${s.table('records')} WHERE ${s.minute(5)} AND station_id IN (10, 20, 30)`],
  },
  {
    check: 'gaps',
    count: 1,
    what: 'the collector down 18:04–18:09 (no rows, no files): 7 minutes without a snapshot',
    statements: (s) => [
      `DELETE FROM ${s.table('records')} WHERE record_timestamp >= ${s.ts('2023-08-24 18:04:00+00')} AND record_timestamp < ${s.ts('2023-08-24 18:10:00+00')}`,
      `DELETE FROM ${s.table('_velo_files')} WHERE min_record_timestamp >= ${s.ts('2023-08-24 18:04:00+00')} AND min_record_timestamp < ${s.ts('2023-08-24 18:10:00+00')}`,
    ],
  },
  {
    check: 'duplicates',
    count: 3,
    what: 'station 1 three times and station 2 twice at 18:02: 3 surplus rows',
    statements: (s) => [
      `INSERT INTO ${s.table('records')} SELECT * FROM ${s.table('records')} WHERE ${s.minute(2)} AND station_id IN (1, 2)`,
      `INSERT INTO ${s.table('records')} SELECT * FROM ${s.table('records')} WHERE ${s.minute(2)} AND station_id = 1 LIMIT 1`,
    ],
  },
  {
    check: 'nulls',
    count: 3,
    what: 'etat null in two rows, derniere_maj null in another',
    statements: (s) => [
      `UPDATE ${s.table('records')} SET etat = NULL WHERE ${s.minute(3)} AND station_id IN (1, 2)`,
      `UPDATE ${s.table('records')} SET derniere_maj = NULL WHERE ${s.minute(4)} AND station_id = 3`,
    ],
  },
  {
    check: 'negative_counts',
    count: 2,
    what: 'nb_velos_dispo = -1 in two rows',
    statements: (s) => [`UPDATE ${s.table('records')} SET nb_velos_dispo = -1 WHERE ${s.minute(6)} AND station_id IN (4, 5)`],
  },
  {
    check: 'capacity',
    count: 1,
    what: '25 phantom docks at station 6, once',
    statements: (s) => [`UPDATE ${s.table('records')} SET nb_places_dispo = nb_places_dispo + 25 WHERE ${s.minute(7)} AND station_id = 6`],
  },
  {
    check: 'stale_stations',
    count: 2,
    what: 'stations 7 and 8 last updated 2 hours before each snapshot',
    statements: (s) => [`UPDATE ${s.table('records')} SET derniere_maj = ${s.minusHours('record_timestamp', 2)} WHERE station_id IN (7, 8) AND etat = 'EN SERVICE'`],
  },
  {
    check: 'orphans',
    count: 19,
    what: 'station 9 deleted from stations (its 19 records stay)',
    statements: (s) => [`DELETE FROM ${s.table('stations')} WHERE id = 9`],
  },
  {
    check: 'manifest',
    count: 2,
    what: "the 18:15 snapshot's rows lost, and a row claiming a file the manifest never saw",
    statements: (s) => [
      `DELETE FROM ${s.table('records')} WHERE ${s.minute(15)}`,
      `UPDATE ${s.table('records')} SET source_file = 'data___lost_in_space.json' WHERE ${s.minute(16)} AND station_id = 1`,
    ],
  },
  {
    check: 'freshness',
    count: 1,
    what: 'nothing injected: the corpus is from 2023, older than --max-age 1h',
    statements: () => [],
    flags: ['--max-age', '1h'],
  },
];
