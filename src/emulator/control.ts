// The control API under /_emulator/: what tests and demos use to change the
// world behind the tool's back, set faults, and read the request log and the
// state. It has its own admin token, is never logged or faulted, and is not
// reachable under the API prefixes.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { ApiError, EmulatorError, INVALID_TOKEN, NO_CREDENTIALS, NOT_FOUND } from './api-error.js';
import type { EmulatorCore } from './core.js';
import { P7appsError } from '../errors.js';
import { formatFaultSpec, type FaultSpec } from './faults.js';
import { readBody, sendJson } from './http-util.js';
import { formatSeedPath } from './seed.js';

export const CONTROL_PREFIX = '/_emulator/';

const faultsBody = z.union([
  z.strictObject({ spec: z.string().nullable() }),
  z.strictObject({ faults: z.record(z.string(), z.unknown()) }),
]);
const readyAfterBody = z.strictObject({ ms: z.number() });
const runTimingBody = z.strictObject({ deployMs: z.number().optional(), queueMs: z.number().optional(), runMs: z.number().optional() });
const workflowRunBody = z.strictObject({ path: z.string(), run: z.unknown() });
const addWorkflowBody = z.strictObject({
  path: z.string(),
  name: z.string().min(1).optional(),
  id: z.string().optional(),
  content: z.string().optional(),
});
const editWorkflowBody = z.strictObject({ path: z.string(), content: z.string().optional() });
const driftBody = z.strictObject({
  name: z.string(),
  description: z.string().nullable().optional(),
  allowCopy: z.boolean().optional(),
  thumbnailBase64: z.string().nullable().optional(),
  defaultVersion: z.number().int().min(1).optional(),
  publish: z
    .strictObject({
      version: z.number().int().min(1).optional(),
      workflowPath: z.string().optional(),
      setAsDefault: z.boolean().optional(),
    })
    .optional(),
});

/** The endpoints, as the index lists them. */
export const CONTROL_ENDPOINTS = [
  'GET /_emulator/state',
  'GET /_emulator/log',
  'DELETE /_emulator/log',
  'GET /_emulator/faults',
  'PUT /_emulator/faults',
  'PUT /_emulator/ready-after',
  'PUT /_emulator/run-timing',
  'PUT /_emulator/workflows/run',
  'POST /_emulator/workflows',
  'POST /_emulator/workflows/edit',
  'POST /_emulator/apps/drift',
  'POST /_emulator/reset',
] as const;

async function jsonBody<T>(req: IncomingMessage, schema: z.ZodType<T>): Promise<T> {
  const raw = (await readBody(req)).toString('utf8');
  let data: unknown = {};
  if (raw.trim() !== '') {
    try {
      data = JSON.parse(raw);
    } catch (err) {
      throw ApiError.detail(400, `JSON parse error - ${(err as Error).message}`);
    }
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${formatSeedPath(i.path as (string | number)[])}: ${i.message}`);
    throw ApiError.detail(400, `Invalid control request body: ${problems.join('; ')}`);
  }
  return parsed.data;
}

function definedOnly<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

function faultsView(core: EmulatorCore): Record<string, unknown> {
  const spec = core.faultSpec();
  return { spec: formatFaultSpec(spec), faults: spec, counts: core.faultCounts() };
}

function decodeBase64Image(text: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text.replace(/\s/g, ''))) throw new EmulatorError('thumbnailBase64 is not base64');
  return new Uint8Array(Buffer.from(text, 'base64'));
}

function authorised(req: IncomingMessage, controlToken: string): void {
  const header = req.headers.authorization;
  if (!header) throw ApiError.detail(403, NO_CREDENTIALS);
  const [scheme, token, ...rest] = header.trim().split(/\s+/);
  if (!/^(token|bearer)$/i.test(scheme ?? '') || !token || rest.length > 0 || token !== controlToken) {
    throw ApiError.detail(403, INVALID_TOKEN);
  }
}

export async function handleControl(core: EmulatorCore, controlToken: string, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  // The control API is lenient about the trailing slash; the emulated API is not.
  const route = `${method} ${url.pathname.replace(/\/+$/, '')}`;
  try {
    authorised(req, controlToken);
    const answer = await controlAnswer(core, route, req);
    if (answer === undefined) {
      res.writeHead(204);
      res.end();
    } else {
      sendJson(res, answer.status, answer.body);
    }
  } catch (err) {
    if (err instanceof ApiError) sendJson(res, err.status, err.body, err.headers);
    else if (err instanceof P7appsError) sendJson(res, 400, { detail: err.message });
    else throw err;
  }
}

async function controlAnswer(core: EmulatorCore, route: string, req: IncomingMessage): Promise<{ status: number; body: unknown } | undefined> {
  const ok = (body: unknown) => ({ status: 200, body });
  switch (route) {
    case 'GET /_emulator':
      return ok({ endpoints: CONTROL_ENDPOINTS });
    case 'GET /_emulator/state':
      return ok(core.snapshot());
    case 'GET /_emulator/log':
      return ok({ entries: core.requestLog(), counts: core.counts(), faults: core.faultCounts() });
    case 'DELETE /_emulator/log':
      core.clearLog();
      return undefined;
    case 'GET /_emulator/faults':
      return ok(faultsView(core));
    case 'PUT /_emulator/faults': {
      const body = await jsonBody(req, faultsBody);
      core.setFaults('spec' in body ? body.spec : (body.faults as FaultSpec));
      return ok(faultsView(core));
    }
    case 'PUT /_emulator/ready-after': {
      const { ms } = await jsonBody(req, readyAfterBody);
      core.setReadyAfterMs(ms);
      return ok({ readyAfterMs: core.readyAfterMs() });
    }
    case 'PUT /_emulator/run-timing':
      return ok(core.setRunTiming(definedOnly(await jsonBody(req, runTimingBody))));
    case 'PUT /_emulator/workflows/run': {
      const { path, run } = await jsonBody(req, workflowRunBody);
      return ok({ path, fingerprint: core.setWorkflowRun(path, run as never) });
    }
    case 'POST /_emulator/workflows':
      return { status: 201, body: core.addWorkflow(await jsonBody(req, addWorkflowBody)) };
    case 'POST /_emulator/workflows/edit': {
      const { path, content } = await jsonBody(req, editWorkflowBody);
      return ok({ path, fingerprint: core.editWorkflow(path, content) });
    }
    case 'POST /_emulator/apps/drift': {
      const { name, thumbnailBase64, ...changes } = await jsonBody(req, driftBody);
      const thumbnail = thumbnailBase64 === undefined ? undefined : thumbnailBase64 === null ? null : decodeBase64Image(thumbnailBase64);
      return ok(core.driftApp(name, { ...changes, ...(thumbnail !== undefined ? { thumbnail } : {}) }));
    }
    case 'POST /_emulator/reset':
      core.reset();
      return ok(core.snapshot());
    default:
      throw ApiError.detail(404, NOT_FOUND);
  }
}
