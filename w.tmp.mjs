import { Worker } from 'node:worker_threads';
const mode = process.argv[2];
if (mode === 'worker') {
  const w = new Worker(new URL('./dist/bundle/sandbox-worker.js', import.meta.url), { workerData: {}, stdout: true });
  w.on('online', () => setTimeout(() => process.exit(0), 50));
} else if (mode === 'bare') {
  const w = new Worker('require("node:worker_threads").parentPort.postMessage(1)', { eval: true });
  w.on('message', () => setTimeout(() => process.exit(0), 50));
} else if (mode === 'esbuild') {
  const { bundleConfig } = await import('./dist/config/config-bundle.js');
  await bundleConfig('/tmp/tsload-work/cat/p7apps.config.ts');
  setTimeout(() => process.exit(0), 50);
} else setTimeout(() => process.exit(0), 50);
