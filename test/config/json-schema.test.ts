// The shipped JSON Schema is generated from the zod schema; this keeps the
// file in the package equal to a fresh generation (run `npm run schema`).

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configJsonSchemaText } from '../../src/config/json-schema.js';

const SHIPPED = path.resolve(import.meta.dirname, '../../schema/p7apps.schema.json');

describe('schema/p7apps.schema.json', () => {
  it('equals a fresh generation from the zod schema', () => {
    expect(readFileSync(SHIPPED, 'utf8')).toBe(configJsonSchemaText());
  });

  it('describes the config the loader accepts: strict objects, required keys, string workspace ids', () => {
    const schema = JSON.parse(configJsonSchemaText());
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['apps']);
    const app = schema.properties.apps.items;
    expect(app.additionalProperties).toBe(false);
    expect(app.required).toEqual(['name', 'versions']);
    expect(Object.keys(app.properties)).toEqual(['name', 'workspace', 'description', 'descriptionFile', 'thumbnail', 'allowCopy', 'versions', 'defaultVersion', 'protect']);
    expect(schema.properties.safety.additionalProperties).toBe(false);
    expect(schema.properties.safety.properties.maxRepublishPercent).toMatchObject({ type: 'number', minimum: 0, maximum: 100 });
    expect(schema.properties.safety.properties.maxRepublishApps).toMatchObject({ type: 'integer', minimum: 0 });
    expect(app.properties.workspace.anyOf[1].properties.id.type).toBe('string');
    expect(app.properties.versions.items.properties.version).toMatchObject({ type: 'integer', minimum: 1 });
  });
});
