// What `p7apps doctor` does once its arguments are parsed (./doctor.ts
// declares them): find the server, probe it, render the report, and turn
// its verdict into the exit code.

import path from 'node:path';
import { probeServer } from '../../doctor/probe.js';
import type { DoctorVerdict } from '../../doctor/report.js';
import { checkEnvironmentServer, loadDesiredState } from '../../operations.js';
import { terminalLine } from '../../render/text.js';
import { renderDoctorHuman } from '../../render/doctor-human.js';
import { renderDoctorJson } from '../../render/doctor-json.js';
import type { DoctorRenderer } from '../../render/types.js';
import type { CliContext } from '../context.js';
import { EXIT_CHANGES, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK } from '../exit-codes.js';
import { environmentChoice, useColor } from '../options.js';
import type { DoctorArgs, DoctorFormat } from './doctor.js';

const RENDERERS = { human: renderDoctorHuman, json: renderDoctorJson } satisfies Record<DoctorFormat, DoctorRenderer>;

export const DOCTOR_EXIT_CODES: Record<DoctorVerdict, number> = { ok: EXIT_OK, limited: EXIT_CHANGES, unusable: EXIT_ERROR };

function given(value: string | undefined): boolean {
  return value !== undefined && value.trim() !== '';
}

export async function runDoctor(ctx: CliContext, args: DoctorArgs): Promise<number> {
  const format = args.format as DoctorFormat;
  // The config is read only for its server.url, and only when it is named (or its environment is) or nothing else names the server.
  let configServerUrl: string | undefined;
  const environment = environmentChoice(args, ctx.env);
  if (args.config !== undefined || environment.environment !== undefined || (!given(args.server) && !given(ctx.env.P7APPS_URL))) {
    const desired = await loadDesiredState({ config: args.config, cwd: ctx.cwd, signal: ctx.signal, ...environment });
    checkEnvironmentServer({ server: args.server, env: ctx.env, onWarning: (message) => ctx.stderr.write(`${terminalLine(`Warning: ${message}`)}\n`) }, desired);
    configServerUrl = desired.serverUrl;
  }
  let report;
  try {
    report = await probeServer({
      server: args.server,
      configServerUrl,
      env: ctx.env,
      caFile: args['ca-file'] === undefined ? undefined : path.resolve(ctx.cwd, args['ca-file']),
      insecure: args.insecure === true,
      signal: ctx.signal,
    });
  } catch (err) {
    if (ctx.signal.aborted) {
      ctx.stderr.write('Interrupted while probing the server.\n');
      return EXIT_INTERRUPTED;
    }
    throw err;
  }
  RENDERERS[format](report, ctx.stdout, { color: format === 'human' && useColor(args, ctx.stdout, ctx.env), verbose: args.verbose === true });
  return DOCTOR_EXIT_CODES[report.verdict];
}
