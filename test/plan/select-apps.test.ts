import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { narrowsApps, selectApps, type AppSelection } from '../../src/operations.js';
import { desiredApp, desiredState } from './builders.js';

const DESIRED = desiredState(
  desiredApp('Gear', { 1: 'Gear' }, { workspace: { name: 'Engineering' } }),
  desiredApp('Beam', { 1: 'Beam' }, { workspace: { name: 'Structures', id: '12' } }),
  desiredApp('Truss', { 1: 'Truss' }, { workspace: { id: '12' } }),
  desiredApp('Toy', { 1: 'Toy' }, { workspace: { name: 'Toy apps' } }),
);
const names = (selection: string[] | AppSelection | undefined) => selectApps(DESIRED, selection).apps.map((a) => a.name);

describe('selecting the apps of a run', () => {
  it.each<[string, string[] | AppSelection | undefined, string[]]>([
    ['nothing given: every app', undefined, ['Gear', 'Beam', 'Truss', 'Toy']],
    ['empty lists: every app', { apps: [], workspaces: [], excludeApps: [] }, ['Gear', 'Beam', 'Truss', 'Toy']],
    ['--app as the old list form', ['Beam'], ['Beam']],
    ['--app', { apps: ['Toy', 'Gear'] }, ['Gear', 'Toy']],
    ['--workspace by name', { workspaces: ['Structures'] }, ['Beam']],
    ['--workspace by id: apps named by id and by both', { workspaces: ['12'] }, ['Beam', 'Truss']],
    ['two --workspace', { workspaces: ['Engineering', 'Toy apps'] }, ['Gear', 'Toy']],
    ['--exclude-app', { excludeApps: ['Gear', 'Toy'] }, ['Beam', 'Truss']],
    ['--workspace and --exclude-app', { workspaces: ['12'], excludeApps: ['Truss'] }, ['Beam']],
    ['--app and --workspace: both must hold', { apps: ['Beam', 'Gear'], workspaces: ['12'] }, ['Beam']],
  ])('%s', (_name, selection, expected) => {
    expect(names(selection)).toEqual(expected);
  });

  it.each<[string, AppSelection, RegExp]>([
    ['an --app the config lacks', { apps: ['Gaer'] }, /--app "Gaer": no such app/],
    ['an --exclude-app the config lacks', { excludeApps: ['Tyo'] }, /--exclude-app "Tyo": no such app/],
    ['a --workspace no app is in', { workspaces: ['Structure'] }, /--workspace "Structure": no app .* is in that workspace/],
    ['a selection that leaves nothing', { apps: ['Gear'], excludeApps: ['Gear'] }, /select no app of the config/],
  ])('refuses %s as a usage error', (_name, selection, message) => {
    expect(() => selectApps(DESIRED, selection)).toThrow(UsageError);
    expect(() => selectApps(DESIRED, selection)).toThrow(message);
  });

  it.each<[AppSelection, boolean]>([
    [{}, false],
    [{ apps: [] }, false],
    [{ apps: ['Gear'] }, true],
    [{ workspaces: ['12'] }, true],
    [{ excludeApps: ['Gear'] }, true],
  ])('%j narrows the config: %s', (selection, expected) => {
    expect(narrowsApps(selection)).toBe(expected);
  });
});
