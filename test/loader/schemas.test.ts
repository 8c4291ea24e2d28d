import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { FIELD_LIST_SCHEMA, TABLE_KINDS, parseFieldList, tableSchema } from '../../src/loader/warehouses/schemas.js';

test('the field-list schema is itself a valid JSON Schema (the run skips that check at start-up)', () => {
  const ajv = new Ajv();
  assert.equal(ajv.validateSchema(FIELD_LIST_SCHEMA), true, JSON.stringify(ajv.errors));
});

test('every bundled table schema loads', () => {
  for (const kind of TABLE_KINDS) assert.ok(tableSchema(kind).length > 0, kind);
});

test('a bad field list is refused with SCHEMA_INVALID and what is wrong', () => {
  for (const bad of [[], [{ name: 'Bad Name', type: 'STRING' }], [{ name: 'x', type: 'JSON' }], [{ name: 'x', type: 'STRING', extra: 1 }], {}]) {
    assert.throws(() => parseFieldList(bad, 'schemas/x.json'), (error: Error & { code?: string }) => error.code === 'SCHEMA_INVALID' && error.message.includes('schemas/x.json'));
  }
});
