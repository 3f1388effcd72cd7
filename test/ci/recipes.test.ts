// action.yml and the recipes in examples/ci/ against the code they drive: the
// steps they run exist, every setting they pass is one src/ci reads, the
// files they keep are the ones the merge step downloads, and the package
// ships the action.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PLAN_JSON, PLAN_MD } from '../../src/ci/flows.js';

const root = new URL('../../', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, root), 'utf8');
const yamlOf = (file: string) => parse(read(file)) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const ciSource = ['src/ci/main.ts', 'src/ci/flows.ts'].map(read).join('\n');

describe('action.yml', () => {
  const action = yamlOf('action.yml');
  const steps: Array<Record<string, any>> = action.runs.steps; // eslint-disable-line @typescript-eslint/no-explicit-any

  it('is a composite action whose steps run p7apps-ci of the installed package', () => {
    expect(action.runs.using).toBe('composite');
    const commands = steps.filter((s) => typeof s.run === 'string' && s.run.startsWith('node ')).map((s) => s.run.trim());
    expect(commands).toEqual([
      'node node_modules/p7apps/bin/p7apps-ci.js github plan',
      'node node_modules/p7apps/bin/p7apps-ci.js github comment',
      'node node_modules/p7apps/bin/p7apps-ci.js github apply',
    ]);
  });

  it('passes only settings the code reads, and only inputs it declares', () => {
    const passed = steps.flatMap((s) => Object.keys(s.env ?? {})).filter((name) => name.startsWith('P7APPS_'));
    expect(passed.length).toBeGreaterThan(5);
    for (const name of passed) expect(ciSource, name).toContain(name);
    const used = [...read('action.yml').matchAll(/\$\{\{ inputs\.([\w-]+) \}\}/g)].map((m) => m[1]!);
    expect(new Set(used)).toEqual(new Set(Object.keys(action.inputs)));
    const ids = new Set(steps.map((s) => s.id).filter(Boolean));
    for (const output of Object.values<{ value: string }>(action.outputs)) expect(ids).toContain(/steps\.([\w-]+)\./.exec(output.value)![1]);
  });

  it('uploads the files the comment links and the merge step downloads', () => {
    const upload = steps.find((s) => String(s.uses).startsWith('actions/upload-artifact@'))!;
    expect(upload.with.path.trim().split('\n')).toEqual([`\${{ steps.plan.outputs.dir }}/${PLAN_JSON}`, `\${{ steps.plan.outputs.dir }}/${PLAN_MD}`]);
    const comment = steps.find((s) => String(s.run).includes('github comment'))!;
    expect(comment.env.P7APPS_CI_ARTIFACT_ID).toBe('${{ steps.upload.outputs.artifact-id }}');
  });

  it('ships in the package, next to the p7apps-ci command', () => {
    const manifest = JSON.parse(read('package.json'));
    expect(manifest.files).toContain('action.yml');
    expect(manifest.bin['p7apps-ci']).toBe('bin/p7apps-ci.js');
  });
});

describe('examples/ci', () => {
  it('the GitHub workflow plans and applies through the action, with the permissions each step needs', () => {
    const jobs = yamlOf('examples/ci/github-actions.yml').jobs;
    const usesAction = (job: { steps: Array<{ uses?: string }> }) => job.steps.some((s) => s.uses === './node_modules/p7apps');
    expect(usesAction(jobs.plan) && usesAction(jobs.apply)).toBe(true);
    expect(jobs.plan.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    expect(jobs.apply.permissions).toEqual({ contents: 'read', 'pull-requests': 'write', actions: 'read' });
    expect(jobs.apply.concurrency).toEqual({ group: 'p7apps-apply', 'cancel-in-progress': false });
    expect(JSON.stringify(jobs)).not.toContain('--auto-approve');
  });

  it('the GitLab recipe plans and applies through p7apps-ci and keeps the plan where the merge step looks', () => {
    const recipe = yamlOf('examples/ci/gitlab-ci.yml');
    expect(recipe['p7apps:plan'].script).toEqual(['npx p7apps-ci gitlab plan']);
    expect(recipe['p7apps:plan'].artifacts.paths).toEqual([`.p7apps-ci/${PLAN_JSON}`, `.p7apps-ci/${PLAN_MD}`]);
    expect(ciSource).toContain("'.p7apps-ci'");
    expect(recipe['p7apps:apply'].script).toEqual(['npx p7apps-ci gitlab apply']);
    expect(recipe['p7apps:apply'].resource_group).toBe('p7apps-production');
  });
});
