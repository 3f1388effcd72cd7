// The late-commit window. A gateway (or the client's own timeout) may give up
// on a publish while the server goes on and commits it later: real gateways
// time out after 60 s or more, and the work behind them is not cancelled. So a
// publish whose answer was lost is not sent again until the app has stayed
// unchanged for longer than that; until then it is looked at, often at first
// and then every few seconds, and any sign of the commit ends the wait.

export const DEFAULT_LATE_COMMIT_WINDOW_MS = 120_000;

/** The first looks, after a lost answer, in ms from it: a commit that lands a moment late is seen at once. */
const EARLY_LOOKS_MS = [1000, 3000, 10_000];
/** Then one look every this many ms until the window ends. */
const LOOK_EVERY_MS = 15_000;

/** The last look comes this long after the window (at most; 5% of a short one), so a commit landing right at its edge is still seen. */
const EDGE_GRACE_MS = 2000;

/**
 * When to look at the app after a lost answer, in ms from it, ascending; the
 * last look is just past the end of the window (or at the server's Retry-After
 * when that is later), so "unchanged for the whole window" is what allows a resend.
 */
export function lateCommitLooks(windowMs: number, retryAfterMs = 0): number[] {
  const end = Math.max(windowMs + Math.min(EDGE_GRACE_MS, Math.round(windowMs * 0.05)), retryAfterMs);
  const looks = new Set<number>();
  const first = Math.max(EARLY_LOOKS_MS[0]!, retryAfterMs);
  for (const at of [first, ...EARLY_LOOKS_MS.slice(1)]) if (at < end && at >= first) looks.add(at);
  for (let at = EARLY_LOOKS_MS.at(-1)! + LOOK_EVERY_MS; at < end; at += LOOK_EVERY_MS) if (at > first) looks.add(at);
  looks.add(end);
  return [...looks].sort((a, b) => a - b);
}

/** What a person is told when a publish turned out to be committed twice (or by someone else). */
export function duplicateAdvice(appName: string): string {
  return (
    `Look at ${JSON.stringify(appName)} in AppsHub: remove the extra version or revision if it is unwanted (or declare it in the config), ` +
    'set the default version back if it moved, then run "p7apps plan". If two applies ran at once, let one run at a time.'
  );
}
