// `p7apps doctor`: a read-only check of a server before any apply: can p7apps
// reach it, sign in, read its lists, and which of its wire assumptions hold
// there. Wiring only: the probe is src/doctor/, the words are in src/render.
//
// Exit codes: 0 p7apps works here, 2 it works with limits (an assumption
// differs), 1 it cannot work here (unreachable, credentials refused, lists
// unreadable) or another error.

import type { Argv } from 'yargs';
import { withConfigOption, withFormatOption, withServerOptions, type ConfigArgs, type OutputArgs, type ServerArgs } from '../options.js';
import type { CommandFactory } from './index.js';

export const DOCTOR_FORMATS = ['human', 'json'] as const;
export type DoctorFormat = (typeof DOCTOR_FORMATS)[number];

export interface DoctorArgs extends ConfigArgs, ServerArgs, OutputArgs {
  verbose?: boolean;
}

export const doctorCommand: CommandFactory = (ctx) => ({
  command: 'doctor',
  describe: 'Check a server before any apply: reachable, signed in, lists readable, which wire assumptions hold (read-only)',
  builder: (yargs: Argv) =>
    withFormatOption(withServerOptions(withConfigOption(yargs)), DOCTOR_FORMATS, 'human')
      .option('verbose', { type: 'boolean', describe: 'Also say what each assumption means, and list the requests sent' })
      .example('$0 doctor', 'What p7apps can and cannot verify on the server P7APPS_URL (or --server) names')
      .example('$0 doctor --format json > doctor.json', 'The same as a versioned JSON document')
      .epilogue(
        'It never publishes; with P7APPS_USERNAME and P7APPS_PASSWORD it signs in (POST auth/login/).\n' +
          'Exit codes: 0 p7apps works here, 2 it works with limits, 1 it cannot work here (or another error), 130 interrupted.',
      ),
  handler: async (args) => {
    // Loaded when the command runs, so other commands (and --help) do not pay for it.
    const { runDoctor } = await import('./doctor-run.js');
    ctx.exitCode = await runDoctor(ctx, args as unknown as DoctorArgs);
  },
});
