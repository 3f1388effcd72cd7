// What a command may have sent when its config never loaded. `plan` and
// `drift` request the catalog's two lists while the config loads, when the
// server and a token come from outside the config (readsBeforeConfig in
// src/operations.ts); nothing else goes out before the config has loaded
// and been checked, and no other command sends anything. Shared by the
// tests and the chaos benchmark's judge.

/** The requests the emulator logs as `GET apps/` and `GET workflows/`: the only ones sent before a config loads. */
export const LISTS_READ_BEFORE_CONFIG: readonly string[] = ['GET apps/', 'GET workflows/'];

const READS_BEFORE_CONFIG = new Set(['plan', 'drift']);

/**
 * The logged requests `command` had no business sending while its config
 * failed to load: expected empty. A list may take several requests (a
 * server that pages it, a retry after a 503), all of them reads of the list.
 */
export function sentWithoutConfig<T extends { endpoint: string }>(command: string, log: readonly T[]): T[] {
  if (!READS_BEFORE_CONFIG.has(command)) return [...log];
  return log.filter((entry) => !LISTS_READ_BEFORE_CONFIG.includes(entry.endpoint));
}
