// The JSON Schema of the config file, generated from the zod schema that
// validates it, so that YAML and JSON configs get editor completion and
// checking (`$schema: ../../schema/p7apps.schema.json`) that never disagrees
// with p7apps itself. Shipped as schema/p7apps.schema.json by
// scripts/gen-schema.ts; a test keeps the shipped file fresh.

import { z } from 'zod';
import { configFileSchema } from './schema.js';

export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configFileSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
}

/** The shipped file's exact text. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
