// The catalog the benchmark reads and applies: N apps of V versions each,
// written as an emulator seed and a p7apps config that agree (a drift-free
// plan), with a thumbnail on a share of the apps that equals the server's.
// A second config declares the apps the apply measurement creates: chains
// of versions on apps the server does not have yet.

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SeedDocument } from '../src/emulator/index.js';
import { pngBytes } from '../test/emulator/png.js';

export const BENCH_WORKSPACE = { id: '21', name: 'Bench apps' };
export const BENCH_USER = 'bench@work.org';
export const THUMBNAIL_FILE = 'thumbs/app.png';

export interface CatalogShape {
  apps: number;
  versions: number;
  /** Every k-th app declares a thumbnail (k = round(1 / share)); 0: none. */
  thumbnailShare: number;
  /** The apps the apply measurement creates: how many versions each gets, one after another. */
  newAppChains: number[];
}

interface DeclaredApp {
  name: string;
  description: string;
  allowCopy: boolean;
  thumbnail?: string;
  defaultVersion: number;
  versions: { version: number; workflow: string }[];
}

type SeedApp = NonNullable<SeedDocument['apps']>[number];

export interface Catalog {
  dir: string;
  seedPath: string;
  /** The config that matches the seed: planning it finds nothing to do. */
  configPath: string;
  /** The config of the apps apply creates. */
  applyConfigPath: string;
  token: string;
  controlToken: string;
  /** Names of the catalog's apps, in order. */
  appNames: string[];
  /** Names of the apps that declare a thumbnail. */
  thumbnailApps: string[];
}

/** Versions each app that apply creates gets, one publish after another. */
export const APPLY_CHAIN = 3;

/** Publishes per new app for `publishes` in all: APPLY_CHAIN each, the last app takes what is left. */
export function applyChains(publishes: number): number[] {
  const chains = Array.from({ length: Math.floor(publishes / APPLY_CHAIN) }, () => APPLY_CHAIN);
  if (publishes % APPLY_CHAIN > 0) chains.push(publishes % APPLY_CHAIN);
  return chains;
}

const pad = (i: number) => String(i).padStart(4, '0');
export const appName = (i: number) => `bench-app-${pad(i)}`;
export const newAppName = (i: number) => `bench-new-${pad(i)}`;
const flow = (prefix: string, i: number, v: number) => `/Users/1/bench/${prefix}${pad(i)}/v${v}.p7wf`;
const appDescription = (i: number) => `Bench app ${i}: computes the deflection of beam number ${i} under load.`;

/** Does app i declare a thumbnail? Spread evenly: every k-th app. */
export function hasThumbnail(i: number, share: number): boolean {
  if (share <= 0) return false;
  const every = Math.max(1, Math.round(1 / share));
  return i % every === 0;
}

function versions(prefix: string, i: number, count: number): { version: number; workflow: string }[] {
  return Array.from({ length: count }, (_, k) => ({ version: k + 1, workflow: flow(prefix, i, k + 1) }));
}

export function declaredCatalog(shape: CatalogShape): { apps: DeclaredApp[]; newApps: DeclaredApp[] } {
  const apps = Array.from({ length: shape.apps }, (_, i): DeclaredApp => ({
    name: appName(i),
    description: appDescription(i),
    allowCopy: i % 2 === 0,
    ...(hasThumbnail(i, shape.thumbnailShare) ? { thumbnail: THUMBNAIL_FILE } : {}),
    defaultVersion: shape.versions,
    versions: versions('app', i, shape.versions),
  }));
  const newApps = shape.newAppChains.map((chain, i): DeclaredApp => ({
    name: newAppName(i),
    description: `New bench app ${i}.`,
    allowCopy: true,
    defaultVersion: chain,
    versions: versions('new', i, chain),
  }));
  return { apps, newApps };
}

/** The seed: every catalog app as declared, and the workflows of the apps to create. */
export function catalogSeed(shape: CatalogShape, token: string): SeedDocument {
  const { apps, newApps } = declaredCatalog(shape);
  const seedApp = (a: DeclaredApp): SeedApp => ({
    name: a.name,
    workspace: BENCH_WORKSPACE.name,
    description: a.description,
    allowCopy: a.allowCopy,
    ...(a.thumbnail ? { thumbnail: a.thumbnail } : {}),
    defaultVersion: a.defaultVersion,
    versions: a.versions.map((v) => ({ version: v.version, workflow: v.workflow })),
  });
  return {
    users: [{ username: BENCH_USER, password: 'bench-password', tokens: [token] }],
    workspaces: [{ ...BENCH_WORKSPACE, publishers: [BENCH_USER] }],
    workflows: [...apps, ...newApps].flatMap((a) => a.versions.map((v) => ({ path: v.workflow, content: `content of ${v.workflow}` }))),
    apps: apps.map(seedApp),
  };
}

/** Writes the seed, both configs and the thumbnail into `dir`. */
export async function writeCatalog(dir: string, shape: CatalogShape, tokens: { token: string; controlToken: string }): Promise<Catalog> {
  const { apps, newApps } = declaredCatalog(shape);
  await mkdir(path.join(dir, path.dirname(THUMBNAIL_FILE)), { recursive: true });
  await writeFile(path.join(dir, THUMBNAIL_FILE), pngBytes([40, 90, 160], 16));
  const seedPath = path.join(dir, 'seed.json');
  await writeFile(seedPath, JSON.stringify(catalogSeed(shape, tokens.token)));
  const configPath = path.join(dir, 'p7apps.config.json');
  await writeFile(configPath, JSON.stringify({ defaults: { workspace: BENCH_WORKSPACE.name }, apps }, null, 1));
  const applyDir = path.join(dir, 'apply');
  await mkdir(applyDir, { recursive: true });
  const applyConfigPath = path.join(applyDir, 'p7apps.config.json');
  await writeFile(applyConfigPath, JSON.stringify({ defaults: { workspace: BENCH_WORKSPACE.name }, apps: newApps }, null, 1));
  return {
    dir,
    seedPath,
    configPath,
    applyConfigPath,
    ...tokens,
    appNames: apps.map((a) => a.name),
    thumbnailApps: apps.filter((a) => a.thumbnail).map((a) => a.name),
  };
}
