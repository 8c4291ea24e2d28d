/**
 * Rows → NDJSON text for the staging files. Hand-rolled templates (column order fixed by schemas/)
 * because this runs once per row on the hot path; strings still go through JSON.stringify for escaping.
 */
import type { LocatedRecord, RecordRow, StationRow } from './types.js';

const quoted = new Map<string, string>();
/** Only short values repeat (states, communes); a long one cached would be kept until the next clear. */
const MAX_CACHED_LENGTH = 64;
const NON_ASCII = /[\u0080-\uffff]/g;

/**
 * JSON string literal in pure ASCII (`É` → `\u00c9`): an ASCII shard is written to disk with a plain
 * copy instead of a UTF-8 encoding pass, and both warehouses read the escapes back.
 */
export function asciiJson(value: string): string {
  return JSON.stringify(value).replace(NON_ASCII, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** JSON string literal, cached: the same few `etat`/`commune` values repeat millions of times. */
function q(value: string | null): string {
  if (value === null) return 'null';
  if (value.length > MAX_CACHED_LENGTH) return asciiJson(value);
  let literal = quoted.get(value);
  if (literal === undefined) {
    literal = asciiJson(value);
    if (quoted.size > 50_000) quoted.clear();
    quoted.set(value, literal);
  }
  return literal;
}

function n(value: number | null): string {
  return value === null ? 'null' : String(value);
}

/** Canonical timestamps (timestamps.ts) are digits, `-:.TZ+`: nothing to escape. */
function t(value: string | null): string {
  return value === null ? 'null' : `"${value}"`;
}

export function recordLine(row: RecordRow, sourceFileLiteral: string): string {
  return `{"station_id":${row.station_id},"etat":${q(row.etat)},"nb_velos_dispo":${row.nb_velos_dispo},"nb_places_dispo":${row.nb_places_dispo},"etat_connexion":${q(row.etat_connexion)},"derniere_maj":${t(row.derniere_maj)},"record_timestamp":${t(row.record_timestamp)},"source_file":${sourceFileLiteral}}\n`;
}

/** A coordinate-keyed row (MEL CSV) for the located staging table: the merge resolves its station id. */
export function locatedLine(row: LocatedRecord, sourceFileLiteral: string): string {
  return `{"longitude":${row.longitude},"latitude":${row.latitude},"etat":${q(row.etat)},"nb_velos_dispo":${row.nb_velos_dispo},"nb_places_dispo":${row.nb_places_dispo},"etat_connexion":${q(row.etat_connexion)},"derniere_maj":${t(row.derniere_maj)},"record_timestamp":${t(row.record_timestamp)},"source_file":${sourceFileLiteral}}\n`;
}

/** A station's attribute columns as the start of its NDJSON line (stationLine finishes it with the lineage). */
export function stationAttributes(row: StationRow): string {
  return `{"id":${row.id},"nom":${q(row.nom)},"libelle":${q(row.libelle)},"adresse":${q(row.adresse)},"commune":${q(row.commune)},"type":${q(row.type)},"latitude":${n(row.latitude)},"longitude":${n(row.longitude)}`;
}

export function stationLine(attributes: string, updatedAt: string, sourceFile: string): string {
  return `${attributes},"updated_at":${JSON.stringify(updatedAt)},"source_file":${asciiJson(sourceFile)}}\n`;
}
