/** Table schemas from schemas/*.json (BigQuery JSON schema form): the single source for both warehouses. */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { VeloError } from '../../errors.js';
import { packagePath } from './package-files.js';

export type FieldType = 'INT64' | 'STRING' | 'FLOAT64' | 'TIMESTAMP';

export interface SchemaField {
  name: string;
  type: FieldType;
  mode?: 'NULLABLE' | 'REQUIRED';
  description?: string;
  /** Filled by the merge step (run id, load time), absent from staged NDJSON. */
  'x-velo-merge-only'?: boolean;
}

/** `located`: staging only, rows keyed by coordinates (MEL CSV) whose station id the merge resolves. */
export type TableKind = 'records' | 'stations' | 'files' | 'located';
export const TABLE_KINDS: readonly TableKind[] = ['records', 'stations', 'files', 'located'];
/** The kinds that are also target tables (not `located`: its rows merge into records). */
export type TargetKind = Exclude<TableKind, 'located'>;
export const TARGET_KINDS: readonly TargetKind[] = ['records', 'stations', 'files'];

export const FIELD_LIST_SCHEMA = {
  type: 'array',
  minItems: 1,
  items: {
    type: 'object',
    required: ['name', 'type'],
    additionalProperties: false,
    properties: {
      name: { type: 'string', pattern: '^[a-z_][a-z0-9_]{0,127}$' },
      type: { enum: ['INT64', 'STRING', 'FLOAT64', 'TIMESTAMP'] },
      mode: { enum: ['NULLABLE', 'REQUIRED'] },
      description: { type: 'string' },
      'x-velo-merge-only': { type: 'boolean' },
    },
  },
} as const;

// validateSchema: false skips checking FIELD_LIST_SCHEMA itself against the JSON Schema meta-schema on every
// start (~50 ms of start-up); it is a constant of this file, checked by the tests that use it.
const validate = new Ajv({ allErrors: true, validateSchema: false }).compile<SchemaField[]>(FIELD_LIST_SCHEMA);
const cache = new Map<TableKind, SchemaField[]>();

/** A field list read from `origin`, or SCHEMA_INVALID saying what is wrong with it. */
export function parseFieldList(value: unknown, origin: string): SchemaField[] {
  if (!validate(value)) throw new VeloError('SCHEMA_INVALID', `${origin} is not a valid schema: ${JSON.stringify(validate.errors)}`);
  return value;
}

export function tableSchema(kind: TableKind): SchemaField[] {
  let fields = cache.get(kind);
  if (!fields) {
    const path = packagePath('schemas', `${kind}.json`);
    fields = parseFieldList(JSON.parse(readFileSync(path, 'utf8')), path);
    cache.set(kind, fields);
  }
  return fields;
}

/** Columns of the staged NDJSON for a table (the merge adds the rest). */
export function stagingSchema(kind: TableKind): SchemaField[] {
  return tableSchema(kind).filter((field) => !field['x-velo-merge-only']);
}
