/** Table schemas from schemas/*.json (BigQuery JSON schema form): the single source for both warehouses. */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { VeloError } from '../errors.js';
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

export type TableKind = 'records' | 'stations' | 'files';
export const TABLE_KINDS: readonly TableKind[] = ['records', 'stations', 'files'];

const FIELD_LIST_SCHEMA = {
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

const validate = new Ajv({ allErrors: true }).compile<SchemaField[]>(FIELD_LIST_SCHEMA);
const cache = new Map<TableKind, SchemaField[]>();

export function tableSchema(kind: TableKind): SchemaField[] {
  let fields = cache.get(kind);
  if (!fields) {
    const path = packagePath('schemas', `${kind}.json`);
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (!validate(parsed)) {
      throw new VeloError('SCHEMA_INVALID', `${path} is not a valid schema: ${JSON.stringify(validate.errors)}`);
    }
    fields = parsed;
    cache.set(kind, fields);
  }
  return fields;
}

/** Columns of the staged NDJSON for a table (the merge adds the rest). */
export function stagingSchema(kind: TableKind): SchemaField[] {
  return tableSchema(kind).filter((field) => !field['x-velo-merge-only']);
}
