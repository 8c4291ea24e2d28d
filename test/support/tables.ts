/** Full table contents, comparable across warehouses and runs: what "identical tables" means in the tests. */
import type { BigQuery } from '@google-cloud/bigquery';
import { queryDuckDb } from './cli.js';

export type Dump = Record<'records' | 'stations' | 'files', Record<string, unknown>[]>;

/** Every column but the run-dependent ones (run_id, loaded_at); timestamps as epoch ms. */
function dumpSql(dialect: 'duckdb' | 'bigquery', table: (name: string) => string): Record<keyof Dump, string> {
  const ms = (column: string): string => (dialect === 'duckdb' ? `epoch_ms(${column})` : `UNIX_MILLIS(${column})`);
  return {
    records: `SELECT station_id, etat, nb_velos_dispo, nb_places_dispo, etat_connexion, ${ms('derniere_maj')} AS derniere_maj, ${ms('record_timestamp')} AS record_timestamp, source_file FROM ${table('records')} ORDER BY record_timestamp, station_id`,
    stations: `SELECT id, nom, libelle, adresse, commune, type, latitude, longitude, ${ms('updated_at')} AS updated_at, source_file FROM ${table('stations')} ORDER BY id`,
    files: `SELECT file_name, size, status, row_count, rejected_rows, ${ms('min_record_timestamp')} AS min_ts, ${ms('max_record_timestamp')} AS max_ts FROM ${table('_velo_files')} ORDER BY file_name`,
  };
}

function normalise(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  const value = (key: string, v: unknown): unknown => {
    if (v === null || v === undefined) return null;
    if (typeof v === 'object' && 'value' in (v as object)) return Number((v as { value: unknown }).value);
    if (typeof v === 'bigint') return Number(v);
    if (key !== 'libelle' && typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
    return v;
  };
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, value(k, v)])));
}

export async function dumpDuckDb(file: string): Promise<Dump> {
  const sql = dumpSql('duckdb', (name) => `"${name}"`);
  return {
    records: normalise(await queryDuckDb(file, sql.records)),
    stations: normalise(await queryDuckDb(file, sql.stations)),
    files: normalise(await queryDuckDb(file, sql.files)),
  };
}

export async function dumpBigQuery(bigquery: BigQuery, project: string, dataset: string): Promise<Dump> {
  const sql = dumpSql('bigquery', (name) => `\`${project}.${dataset}.${name}\``);
  const rows = async (query: string): Promise<Record<string, unknown>[]> => normalise(((await bigquery.query({ query }))[0] as Record<string, unknown>[]) ?? []);
  return { records: await rows(sql.records), stations: await rows(sql.stations), files: await rows(sql.files) };
}
