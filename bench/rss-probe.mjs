// Preloaded into the measured p7apps process (node --import): at exit, writes
// the process's peak resident set size and CPU time to the file named by
// P7APPS_BENCH_PROBE_FILE, so the CLI is measured exactly as users run it.
import { writeFileSync } from 'node:fs';

const file = process.env.P7APPS_BENCH_PROBE_FILE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ maxRssKb: usage.maxRSS, userCpuUs: usage.userCPUTime, systemCpuUs: usage.systemCPUTime }));
  });
}
