// `p7apps emulator`: runs the bundled AppsHub emulator until Ctrl-C, and
// prints what a person needs to point p7apps (or the guide's curl examples)
// at it. The tokens printed are the emulator's own, made up for this run.

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { P7appsError, UsageError } from '../../errors.js';
import { wholeNumberOrThrow } from '../options.js';
import { DEFAULT_READY_AFTER_MS, DEFAULT_RUN_TIMING } from '../../emulator/defaults.js';
import type { RequestLogEntry } from '../../emulator/index.js';
import { terminalLine } from '../../render/text.js';
import type { CliContext } from '../context.js';

/** The numbers as typed (a number when not given): wholeNumber reads them. */
interface EmulatorArgs {
  port: number | string;
  host: string;
  seed?: string;
  token?: string;
  'control-token'?: string;
  'ready-after-ms': number | string;
  'run-time-ms': number | string;
  'latency-ms': number | string;
  faults?: string;
  'tls-cert'?: string;
  'tls-key'?: string;
  'page-size'?: number | string;
  profile?: string;
  'log-requests'?: boolean;
}

/** yargs collects a repeated flag into an array; each of these flags means one value. */
function once<T>(flag: string, value: T | T[]): T {
  if (Array.isArray(value)) throw new UsageError(`--${flag} is given more than once`);
  return value;
}

function wholeNumber(flag: string, value: unknown, min: number, max: number): number {
  return wholeNumberOrThrow(`--${flag}`, value, min, max, `a whole number from ${min} to ${max}`);
}

/** Quote for a POSIX shell, so the export lines paste safely whatever the token holds. */
function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

async function readPem(ctx: CliContext, flag: string, file: string): Promise<Buffer> {
  const path = resolve(ctx.cwd, file);
  try {
    return await readFile(path);
  } catch (err) {
    throw new P7appsError(`--${flag} ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, {
      hint: `Give the path of a PEM file to --${flag}.`,
    });
  }
}

function formatLogLine(e: RequestLogEntry): string {
  const status = e.status === null ? 'connection dropped' : String(e.status);
  // The method and path are what a client sent: shown escaped.
  return `${terminalLine(`${e.method} ${e.path} -> ${status}${e.fault ? ` (fault: ${e.fault})` : ''}`)}\n`;
}

/** The --profile names, checked here so that a typo is a usage error (exit 1) naming the valid ones. */
function checkedProfiles(text: string): string[] {
  const names = text.split(',').map((n) => n.trim());
  if (names.some((n) => n === '')) throw new UsageError(`--profile must be profile names separated by commas (got ${JSON.stringify(text)})`);
  return names;
}

function waitForAbort(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

export function emulatorCommand(ctx: CliContext): CommandModule<object, EmulatorArgs> {
  return {
    command: 'emulator',
    describe: 'Run a local AppsHub server (the guide\'s example world, or a seed file) for demos and tests',
    builder: (y: Argv<object>) =>
      // The numbers are read as text, so that one mistyped is named as typed (yargs' number would be NaN).
      y
        .option('port', { type: 'string', default: 8787 as number | string, describe: 'Port to listen on (0: a free one)', requiresArg: true })
        .option('host', { type: 'string', default: '127.0.0.1', describe: 'Address to listen on', requiresArg: true })
        .option('seed', { type: 'string', describe: 'Seed file (JSON or YAML) with the users, workspaces, workflows and apps to start from, or a built-in seed: toy, guide', requiresArg: true })
        .option('token', { type: 'string', describe: 'The token the default user signs in with (default: made up for this run)', requiresArg: true })
        .option('control-token', { type: 'string', describe: 'Admin token of the /_emulator/ control API (default: made up for this run)', requiresArg: true })
        .option('ready-after-ms', { type: 'string', default: DEFAULT_READY_AFTER_MS as number | string, describe: 'Milliseconds from a publish to READY', requiresArg: true })
        .option('run-time-ms', {
          type: 'string',
          default: DEFAULT_RUN_TIMING.runMs as number | string,
          describe: "Milliseconds a run is RUNNING when its workflow's seed gives no runTimeMs (docs/runs.md)",
          requiresArg: true,
        })
        .option('latency-ms', { type: 'string', default: 0 as number | string, describe: 'Milliseconds added to every API request', requiresArg: true })
        .option('faults', { type: 'string', describe: 'Faults to inject, e.g. "latency=20,rate503=0.05,seed=42" (see docs/emulator.md)', requiresArg: true })
        .option('tls-cert', { type: 'string', describe: 'Serve HTTPS with this PEM certificate (with --tls-key)', requiresArg: true })
        .option('tls-key', { type: 'string', describe: 'PEM private key of --tls-cert', requiresArg: true })
        .option('page-size', { type: 'string', describe: 'Serve lists as pages of this size instead of plain arrays', requiresArg: true })
        .option('profile', {
          type: 'string',
          describe: 'Answer as a server that differs where the guide allows: comma-separated profiles, e.g. "guide,numeric-ids" (docs/emulator-profiles.md)',
          requiresArg: true,
        })
        .option('log-requests', { type: 'boolean', describe: 'Print one line per API request to stderr' })
        .example('$0 emulator', "Serve the guide's example world on http://127.0.0.1:8787 with a made-up token")
        .example('$0 emulator --seed toy --token demo-token', 'Serve a seeded catalog; point p7apps at it with P7APPS_URL and P7APPS_TOKEN=demo-token')
        .example('$0 emulator --profile guide,short-list', 'Serve only the fields the guide shows, with short app list entries')
        .example('$0 emulator --port 0 --faults "rate503=0.05,seed=7"', 'Inject faults to see how p7apps copes'),
    handler: async (args) => {
      // Loaded here, not at start-up: the other commands do not need the emulator.
      const { formatFaultSpec, GUIDE_PASSWORD, parseFaultSpec, startEmulator } = await import('../../emulator/index.js');
      const argv = Object.fromEntries(
        // Only the flags as spelled on the command line; yargs' camelCase copies would name them wrongly.
        Object.entries(args).map(([key, value]) => [key, key === '_' || key === '$0' || /[A-Z]/.test(key) ? value : once(key, value)]),
      ) as unknown as EmulatorArgs;
      const port = wholeNumber('port', argv.port, 0, 65535);
      const readyAfterMs = wholeNumber('ready-after-ms', argv['ready-after-ms'], 0, 3_600_000);
      const runMs = wholeNumber('run-time-ms', argv['run-time-ms'], 0, 3_600_000);
      const latencyMs = wholeNumber('latency-ms', argv['latency-ms'], 0, 3_600_000);
      const pageSize = argv['page-size'] === undefined ? undefined : wholeNumber('page-size', argv['page-size'], 1, 10_000);
      let faults;
      try {
        faults = argv.faults === undefined ? undefined : parseFaultSpec(argv.faults);
      } catch (err) {
        throw new UsageError(`--faults: ${(err as Error).message}`, { hint: (err as P7appsError).hint });
      }
      if ((argv['tls-cert'] === undefined) !== (argv['tls-key'] === undefined)) {
        throw new UsageError('--tls-cert and --tls-key go together: give both, or neither');
      }
      const tls =
        argv['tls-cert'] !== undefined && argv['tls-key'] !== undefined
          ? { cert: await readPem(ctx, 'tls-cert', argv['tls-cert']), key: await readPem(ctx, 'tls-key', argv['tls-key']) }
          : undefined;

      const emulator = await startEmulator({
        port,
        host: argv.host,
        readyAfterMs,
        runTiming: { runMs },
        latencyMs,
        seedBaseDir: ctx.cwd,
        ...(argv.seed !== undefined ? { seed: argv.seed } : {}),
        ...(argv.token !== undefined ? { token: argv.token } : {}),
        ...(argv['control-token'] !== undefined ? { controlToken: argv['control-token'] } : {}),
        ...(faults ? { faults } : {}),
        ...(tls ? { tls } : {}),
        ...(pageSize !== undefined ? { pageSize } : {}),
        ...(argv.profile !== undefined ? { profiles: checkedProfiles(argv.profile) } : {}),
        ...(argv['log-requests'] ? { onRequest: (e: RequestLogEntry) => ctx.stderr.write(formatLogLine(e)) } : {}),
      });

      const guideWorld = argv.seed === undefined;
      const world = guideWorld
        ? "the guide's example world"
        : existsSync(resolve(ctx.cwd, argv.seed!))
          ? `seed file ${resolve(ctx.cwd, argv.seed!)}`
          : `built-in seed "${argv.seed}"`;
      const out = ctx.stdout;
      out.write('p7apps AppsHub emulator is running.\n\n');
      out.write(`  Sign-in URL:   ${emulator.url}\n`);
      out.write(`  Workflow API:  ${emulator.workflowApiUrl}\n`);
      out.write(`  App API:       ${emulator.appApiUrl}\n`);
      out.write(`  World:         ${world}\n`);
      out.write(`  User:          ${emulator.username}${guideWorld ? ` (password "${GUIDE_PASSWORD}")` : ''}\n`);
      out.write(`  Token:         ${emulator.token}\n`);
      out.write(`  Control API:   ${emulator.controlUrl} (admin token: ${emulator.controlToken})\n`);
      out.write(`  Publishing:    a published version is READY ${readyAfterMs} ms later\n`);
      out.write(`  Runs:          RUNNING for ${runMs} ms unless the workflow's seed says otherwise\n`);
      out.write(`  Profiles:      ${emulator.profiles.join(', ')}\n`);
      out.write(`  Faults:        ${faults ? formatFaultSpec(faults) || 'none' : 'none'}${latencyMs ? `, latency ${latencyMs} ms` : ''}\n\n`);
      out.write('Point p7apps at it:\n');
      out.write(`  export P7APPS_URL=${shellQuote(emulator.url)}\n`);
      out.write(`  export P7APPS_TOKEN=${shellQuote(emulator.token)}\n\n`);
      out.write("Or run the guide's curl examples as written:\n");
      out.write(`  export DA__P7__REST_BASEURL=${shellQuote(emulator.workflowApiUrl)}\n`);
      out.write(`  export DA__P7__REST_BASEURL_APPSHUB=${shellQuote(emulator.appApiUrl)}\n`);
      out.write(`  export DA__P7__REST_AUTHTOKEN=${shellQuote(emulator.token)}\n`);
      out.write('  export DA__P7__REST_AUTHHEADER="Authorization: Token ${DA__P7__REST_AUTHTOKEN}"\n\n');
      out.write('Press Ctrl-C to stop.\n');

      ctx.endsBySignal = true;
      await waitForAbort(ctx.signal);
      await emulator.close();
      out.write('AppsHub emulator stopped.\n');
    },
  };
}
