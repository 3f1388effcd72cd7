// `p7apps validate`: load and check the config offline (no server, no
// credentials) and say what it declares, or list every problem in it.
// Wiring only: the checks live in src/config.

import type { Argv } from 'yargs';
import { displayPath } from '../../config/files.js';
import { loadConfig, loadConfigEnvironments } from '../../config/load.js';
import { countDesired } from '../../config/summary.js';
import { terminalLine } from '../../render/text.js';
import { environmentChoice, withConfigOption, type ConfigArgs } from '../options.js';
import type { CommandFactory } from './index.js';

const plural = (count: number, one: string) => `${count} ${count === 1 ? one : `${one}s`}`;

export const validateCommand: CommandFactory = (ctx) => ({
  command: 'validate',
  describe: 'Load and check the config offline, without a server or credentials',
  builder: (yargs: Argv) =>
    withConfigOption(yargs)
      .usage(
        '$0 validate [--config PATH] [--env NAME]\n\nLoad and check the config offline, without a server or credentials; every environment it declares, unless --env (or P7APPS_ENV) names one.\nExit codes: 0 valid, 1 problems found (each listed with its file and the place in it).',
      )
      .epilogue('')
      .example('$0 validate', 'Check the config found from the current directory upwards')
      .example('$0 validate --config ./p7apps.config.ts', 'Check a given config file')
      .example('$0 validate && $0 plan', 'In CI: stop early on a broken config, before reading the server'),
  handler: async (args) => {
    const { config } = args as ConfigArgs;
    const chosen = environmentChoice(args as ConfigArgs, ctx.env);
    const options = { cwd: ctx.cwd, signal: ctx.signal, ...(config === undefined ? {} : { configPath: config }) };
    // Without an environment chosen, every environment the config declares is checked.
    const states = chosen.environment === undefined ? await loadConfigEnvironments(options) : [await loadConfig({ ...options, ...chosen })];
    for (const desired of states) {
      const counts = countDesired(desired);
      const environment = desired.environment === undefined ? '' : ` environment ${desired.environment}:`;
      const valid = `Valid:${environment} ${plural(counts.apps, 'app')}, ${plural(counts.versions, 'version')}, ${plural(counts.workspaces, 'workspace')} (${displayPath(desired.configPath, ctx.cwd)})`;
      ctx.stdout.write(`${terminalLine(valid)}\n`);
    }
  },
});
