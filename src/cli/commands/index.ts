// The list of commands main() registers. Each entry builds a yargs command
// module bound to the CLI context.

import type { CommandModule } from 'yargs';
import type { CliContext } from '../context.js';
import { applyCommand } from './apply.js';
import { checkCommand } from './check.js';
import { completionCommand } from './completion.js';
import { doctorCommand } from './doctor.js';
import { driftCommand } from './drift.js';
import { emulatorCommand } from './emulator.js';
import { importCommand } from './import.js';
import { planCommand } from './plan.js';
import { showCommand } from './show.js';
import { validateCommand } from './validate.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CommandFactory = (ctx: CliContext) => CommandModule<any, any>;

export const commands: CommandFactory[] = [
  validateCommand,
  emulatorCommand,
  planCommand,
  applyCommand,
  driftCommand,
  checkCommand,
  importCommand,
  doctorCommand,
  showCommand,
  completionCommand,
];
