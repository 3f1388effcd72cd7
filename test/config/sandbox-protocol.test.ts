// How the CLI's thread reads what the config's thread posts: the worker's
// answers pass as they are; anything else (a config can post on
// worker_threads' parentPort too) is not an answer.

import { describe, expect, it } from 'vitest';
import { readSandboxAnswer, type SandboxAnswer } from '../../src/config/sandbox-protocol.js';

describe('readSandboxAnswer', () => {
  it.each<[string, SandboxAnswer]>([
    ['started', { kind: 'started' }],
    ['a config', { kind: 'config', value: { apps: [] } }],
    ['a config of undefined (what the file exported)', { kind: 'config', value: undefined }],
    ['a process that runs', { kind: 'esbuild-process', pid: 4242, ended: false }],
    ['a process that ended', { kind: 'esbuild-process', pid: 4242, ended: true }],
    ['a failure', { kind: 'failed', message: 'the config threw: no catalog' }],
    ['a failure with its place', { kind: 'failed', message: 'Unexpected token', line: 3, column: 0, at: 'apps["Toy"]' }],
  ])('passes %s as it is', (_name, answer) => {
    expect(readSandboxAnswer(structuredClone(answer))).toEqual(answer);
  });

  it('keeps nothing but the answer\'s own fields', () => {
    expect(readSandboxAnswer({ kind: 'failed', message: 'm', extra: 'x' })).toEqual({ kind: 'failed', message: 'm' });
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'config'],
    ['a number', 7],
    ['an array', ['started']],
    ['no kind', { value: {} }],
    ['an unknown kind', { kind: 'request' }],
    ['a kind of another type', { kind: 1 }],
    ['a config without a value', { kind: 'config' }],
    ['a process without a pid', { kind: 'esbuild-process', ended: false }],
    ['a process with pid 0 (its whole group)', { kind: 'esbuild-process', pid: 0, ended: false }],
    ['a process with a negative pid (a group)', { kind: 'esbuild-process', pid: -1, ended: false }],
    ['a process with a fractional pid', { kind: 'esbuild-process', pid: 1.5, ended: false }],
    ['a process with a pid as text', { kind: 'esbuild-process', pid: '1', ended: false }],
    ['a process without ended', { kind: 'esbuild-process', pid: 4242 }],
    ['a failure without a message', { kind: 'failed' }],
    ['a failure whose message is a number', { kind: 'failed', message: 42 }],
    ['a failure whose line is text', { kind: 'failed', message: 'm', line: 'x' }],
    ['a failure whose line is negative', { kind: 'failed', message: 'm', line: -1 }],
    ['a failure whose column is not finite', { kind: 'failed', message: 'm', column: Number.POSITIVE_INFINITY }],
    ['a failure whose place is an object', { kind: 'failed', message: 'm', at: { path: 'apps' } }],
  ])('reads %s as no answer', (_name, message) => {
    expect(readSandboxAnswer(message)).toBeUndefined();
  });
});
