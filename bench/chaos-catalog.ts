// The catalog the fault matrix applies: N apps written as a p7apps config
// (JSON, thumbnails beside it) and an emulator seed such that the config
// implies every kind of change the planner knows: new apps, new versions,
// default changes and settings changes (plus apps that need all three at
// once and apps already in sync). The same index always gives the same app,
// so a run is reproducible from (app count, profile, seed).

import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SeedDocument } from '../src/emulator/index.js';
import { pngBytes } from '../test/emulator/png.js';

export const CHAOS_WORKSPACE = { id: '11', name: 'Chaos apps' };
export const CHAOS_USER = 'chaos@work.org';

export type AppKind = 'new' | 'new-version' | 'default' | 'settings' | 'mixed' | 'in-sync';

/** Ten apps in a row cover every kind; 50 apps give ten each of the four main kinds. */
const KIND_CYCLE: AppKind[] = ['new', 'new-version', 'default', 'settings', 'new', 'new-version', 'default', 'settings', 'mixed', 'in-sync'];

export interface DeclaredApp {
  name: string;
  versions: { version: number; workflow: string }[];
  defaultVersion?: number;
  description?: string;
  allowCopy?: boolean;
  /** Relative to the config file. */
  thumbnail?: string;
}

type SeedApp = NonNullable<SeedDocument['apps']>[number];

export interface CatalogApp {
  kind: AppKind;
  declared: DeclaredApp;
  /** The sha256 of the declared thumbnail's bytes. */
  thumbnailSha256?: string;
  seeded?: SeedApp;
}

export interface Catalog {
  dir: string;
  configPath: string;
  apps: CatalogApp[];
  seed: SeedDocument;
  token: string;
  password: string;
  /** Every image file written, by the sha256 of its bytes (to turn a snapshot back into a seed). */
  thumbnailBySha256: Map<string, string>;
  /** The app whose publishes the failing-app profile makes end FAILED: it needs a new version. */
  failingApp: string;
}

const pad = (i: number) => String(i).padStart(2, '0');

function appName(i: number, kind: AppKind): string {
  // One name in each ten is not plain ASCII: names travel in JSON bodies and app lists.
  return i % 10 === 7 ? `chaos ${pad(i)} ${kind} Ωmega ✓` : `chaos-${pad(i)}-${kind}`;
}

const flow = (i: number, v: number) => `/Users/1/chaos/app${pad(i)}/v${v}.p7wf`;
const versionsUpTo = (i: number, n: number) => Array.from({ length: n }, (_, k) => ({ version: k + 1, workflow: flow(i, k + 1) }));

/** Builds the catalog in memory; `writeCatalog` puts it on disk. */
function catalogApps(count: number): { apps: CatalogApp[]; images: Map<string, Uint8Array> } {
  const images = new Map<string, Uint8Array>();
  const image = (i: number, which: 'a' | 'b') => {
    const file = `thumbs/${pad(i)}-${which}.png`;
    images.set(file, pngBytes(which === 'a' ? [i * 5, 40, 90] : [200, i * 5, 30]));
    return file;
  };
  const apps: CatalogApp[] = [];
  for (let i = 0; i < count; i++) {
    const kind = KIND_CYCLE[i % KIND_CYCLE.length]!;
    const round = Math.floor(i / KIND_CYCLE.length);
    const name = appName(i, kind);
    const seededBase = { name, workspace: CHAOS_WORKSPACE.name, description: 'Old words', allowCopy: true };
    let declared: DeclaredApp;
    let seeded: SeedApp | undefined;
    switch (kind) {
      case 'new': {
        const n = 1 + (round % 3);
        declared = { name, versions: versionsUpTo(i, n), description: `App ${i}: computes things.` };
        if (round % 2 === 0) declared.allowCopy = false;
        if (round % 3 !== 1) declared.thumbnail = image(i, 'b');
        if (n > 1 && round % 2 === 1) declared.defaultVersion = n - 1;
        break;
      }
      case 'new-version': {
        const m = 1 + (round % 2);
        seeded = { ...seededBase, versions: versionsUpTo(i, m), defaultVersion: m };
        declared = { name, versions: versionsUpTo(i, m + 1), description: 'Old words' };
        if (round % 2 === 0) declared.defaultVersion = m + 1;
        break;
      }
      case 'default':
        seeded = { ...seededBase, versions: versionsUpTo(i, 2), defaultVersion: 2 };
        declared = { name, versions: versionsUpTo(i, 2), defaultVersion: 1 };
        break;
      case 'settings': {
        const a = image(i, 'a');
        seeded = { ...seededBase, thumbnail: a, versions: versionsUpTo(i, 1) };
        declared = { name, versions: versionsUpTo(i, 1), description: 'Old words', allowCopy: true, thumbnail: a };
        if (round % 3 === 0) declared.description = `New words for app ${i}`;
        if (round % 3 === 1) declared.allowCopy = false;
        if (round % 3 === 2) declared.thumbnail = image(i, 'b');
        break;
      }
      case 'mixed':
        seeded = { ...seededBase, versions: versionsUpTo(i, 2), defaultVersion: 2 };
        declared = { name, versions: versionsUpTo(i, 3), defaultVersion: 3, description: `All new for app ${i}`, allowCopy: false, thumbnail: image(i, 'b') };
        break;
      case 'in-sync':
        seeded = { ...seededBase, versions: versionsUpTo(i, 1) };
        declared = { name, versions: versionsUpTo(i, 1), description: 'Old words', allowCopy: true };
        break;
    }
    const app: CatalogApp = { kind, declared };
    if (seeded) app.seeded = seeded;
    if (declared.thumbnail) app.thumbnailSha256 = sha256(images.get(declared.thumbnail)!);
    apps.push(app);
  }
  return { apps, images };
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Writes `p7apps.config.json` and its thumbnails into `dir`, and returns the
 * matching emulator seed. The user's token and password are random unless given.
 */
export async function writeCatalog(dir: string, count: number, secrets: { token?: string; password?: string } = {}): Promise<Catalog> {
  if (count < 2) throw new Error('a chaos catalog needs at least 2 apps (one of them gets a new version)');
  const { apps, images } = catalogApps(count);
  const thumbnailBySha256 = new Map<string, string>();
  for (const [file, bytes] of images) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), bytes);
    thumbnailBySha256.set(sha256(bytes), file);
  }
  const configPath = path.join(dir, 'p7apps.config.json');
  await writeFile(configPath, `${JSON.stringify({ defaults: { workspace: CHAOS_WORKSPACE.name }, apps: apps.map((a) => a.declared) }, null, 2)}\n`);
  // Distinctive, so that a leak would be found by a grep of every output.
  const token = secrets.token ?? `chaos-token-${randomBytes(12).toString('hex')}`;
  const password = secrets.password ?? `chaos-pass-${randomBytes(12).toString('hex')}`;
  const seed: SeedDocument = {
    users: [{ username: CHAOS_USER, password, tokens: [token] }],
    workspaces: [{ ...CHAOS_WORKSPACE, publishers: [CHAOS_USER] }],
    workflows: apps.flatMap((_, i) => [1, 2, 3].map((v) => ({ path: flow(i, v), content: `app ${i} version ${v}` }))),
    apps: apps.flatMap((a) => (a.seeded ? [a.seeded] : [])),
  };
  const failingApp = apps.find((a) => a.kind === 'new-version')!.declared.name;
  return { dir, configPath, apps, seed, token, password, thumbnailBySha256, failingApp };
}
