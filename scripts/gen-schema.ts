// Writes schema/p7apps.schema.json from the zod schema in src/config/schema.ts.
// Run after changing the schema: npm run schema (test/config/json-schema.test.ts
// fails while the shipped file is stale).

import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { configJsonSchemaText } from '../src/config/json-schema.js';

const target = fileURLToPath(new URL('../schema/p7apps.schema.json', import.meta.url));
await writeFile(target, configJsonSchemaText());
process.stdout.write(`Wrote ${target}\n`);
