// The redaction helpers on their own: the Redactor finds a secret in every
// form p7apps writes it in, URLs are shown without what can hold a
// credential, import names the app and field a secret was found in, and
// the CLI prints an error as safe lines.

import { describe, expect, it } from 'vitest';
import { AppsHubError } from '../../src/appshub/errors.js';
import { normaliseServerUrl } from '../../src/appshub/server-url.js';
import { formatError } from '../../src/cli/main.js';
import { P7appsError } from '../../src/errors.js';
import { catalogToFiles } from '../../src/import/files.js';
import { refuseSecrets, SecretInImportError, secretFiles, secretPlaces } from '../../src/import/secrets.js';
import { Redactor, shownUrl } from '../../src/redact.js';
import { escapeUnsafe, htmlText, jsonText, markdownText, xmlText } from '../../src/render/escape.js';
import { app, CATALOG, SVG, version } from '../import/catalog.js';

const SECRET = 'p7_s*cret<&>\u202e"x';

describe('Redactor', () => {
  const redactor = new Redactor();
  redactor.add(` ${SECRET}\n`);

  it.each<[string, string]>([
    ['as it is', SECRET],
    ['URL-encoded', encodeURIComponent(SECRET)],
    ['base64', Buffer.from(SECRET).toString('base64')],
    ['JSON-escaped', JSON.stringify(SECRET).slice(1, -1)],
    ['as JSON output writes it', jsonText(SECRET).slice(1, -1)],
    ['escaped for a terminal', escapeUnsafe(SECRET)],
    ['escaped for Markdown', markdownText(SECRET)],
    ['escaped for HTML', htmlText(SECRET)],
    ['escaped for XML', xmlText(SECRET)],
  ])('finds the secret %s, trimmed or not', (_form, written) => {
    const text = `before ${written} after`;
    expect(redactor.contains(text)).toBe(true);
    // The untrimmed secret's Markdown form ends in a space (its newline): it may take the spaces around it.
    expect(redactor.redact(text)).toMatch(/^before ?\[REDACTED\] ?after$/);
  });

  // A short secret hidden inside every word that holds it garbled whatever p7apps printed.
  it.each<[string, string, string, string]>([
    ['a short password, standing alone', 'test', 'password=test; test.', 'password=[REDACTED]; [REDACTED].'],
    ['a short password, inside words', 'test', 'tests passed, attested, test_1', 'tests passed, attested, test_1'],
    ['a short password, in a URL', 'pa55', 'https://h/?u=alice&p=pa55#x', 'https://h/?u=alice&p=[REDACTED]#x'],
    // Its URL-encoded form is eight characters: hidden wherever it occurs.
    ['a short password, URL-encoded', 'a b&', 'x?p=a%20b%26 and a%20b%26c', 'x?p=[REDACTED] and [REDACTED]c'],
    ['a short password of other letters', 'pä', 'späß, pä, Pä', 'späß, [REDACTED], Pä'],
    ['a short password of signs only', '!!', 'a!!b and !!', 'a!!b and [REDACTED]'],
    ['a long token, inside a word too', 'tok-1234567', 'xxtok-1234567yy and tok-1234567', 'xx[REDACTED]yy and [REDACTED]'],
    ["a short password's base64, which is long", '1234', 'MTIzNA==x and 1234', '[REDACTED]x and [REDACTED]'],
  ])('hides %s where it stands on its own', (_, secret, text, shown) => {
    const r = new Redactor();
    r.add(secret);
    expect(r.redact(text)).toBe(shown);
    expect(r.contains(text)).toBe(shown !== text);
  });

  it('reads the secrets of the environment, and nothing else', () => {
    const fromEnv = Redactor.fromEnv({ P7APPS_TOKEN: 'tok-1234567', DA__P7__REST_AUTHTOKEN: 'tok-7654321', P7APPS_PASSWORD: 'pw 12345', P7APPS_USERNAME: 'user@x' });
    expect(fromEnv.redact('tok-1234567 tok-7654321 pw 12345 user@x')).toBe('[REDACTED] [REDACTED] [REDACTED] user@x');
  });
});

describe('URLs', () => {
  it.each([
    ['https://host/p7?token=abc', 'https://host/p7?…'],
    ['https://host/#abc', 'https://host/?…'],
    ['https://u:pw@host/', 'https://host/ (credentials not shown)'],
    ['https://host/plain', 'https://host/plain'],
    ['not a url?token=abc', 'not a url?…'],
    ['u:pw@host:1:2/x', '…@host:1:2/x'],
  ])('%s is shown as %s', (url, shown) => {
    expect(shownUrl(url)).toBe(shown);
  });

  it.each(['https://host/?token=s3cret-q', 'https://host/#s3cret-q', 'ftp://host/?token=s3cret-q', 'https://host:1:2/?token=s3cret-q'])(
    'a refused server URL %s is not echoed',
    (url) => {
      expect(() => normaliseServerUrl(url, '--server')).toThrow(/--server/);
      try {
        normaliseServerUrl(url, '--server');
      } catch (err) {
        expect((err as Error).message).not.toContain('s3cret-q');
      }
    },
  );
});

describe("import's refusal", () => {
  const TOKEN = 'tok-ECHOED-1234';
  const holds = (text: string) => text.includes(TOKEN);

  it.each<[string, Parameters<typeof app>[1] & { name?: string }, string]>([
    ['a name', { name: `Beam ${TOKEN}`, id: 'b1' }, 'the app with id "b1": name'],
    ['a description', { description: `see ${TOKEN}` }, 'app "Echo": description'],
    ['a workspace name', { workspace: { id: '3', name: TOKEN } }, 'app "Echo": workspace name'],
    ['a workflow path', { id: 'e', versions: [version('e', 1, `/Users/1/${TOKEN}.p7wf`)] }, 'app "Echo": version 1 workflow path'],
    ['a thumbnail URL', { thumbnail: { url: `https://h/t?k=${TOKEN}`, bytes: SVG } }, 'app "Echo": thumbnail URL'],
    ['a thumbnail image', { thumbnail: { url: 'https://h/t', bytes: new TextEncoder().encode(`<svg>${TOKEN}</svg>`) } }, 'app "Echo": thumbnail image'],
  ])('names the app and field when the secret is in %s', (_what, fields, place) => {
    const catalog = { ...CATALOG, apps: [app(fields.name ?? 'Echo', fields)] };
    const found = secretPlaces(catalog, holds).map((p) => `${p.app}: ${p.field}`);
    expect(found).toEqual([place]);
    const files = catalogToFiles(catalog, { format: 'yaml', outFile: '/tmp/p7apps.config.yaml' });
    expect(() => refuseSecrets(catalog, files.files, holds)).toThrow(SecretInImportError);
    try {
      refuseSecrets(catalog, files.files, holds);
    } catch (err) {
      expect((err as Error).message).toContain(place);
      expect((err as Error).message).not.toContain(TOKEN);
    }
  });

  it('finds a secret in a file the catalog check does not name, and passes a clean catalog', () => {
    expect(secretFiles([{ path: '/x/p7apps.config.yaml', kind: 'config', content: `url: ${TOKEN}` }], holds)).toEqual([{ app: 'the config', field: 'file /x/p7apps.config.yaml' }]);
    const files = catalogToFiles(CATALOG, { format: 'ts', outFile: '/tmp/p7apps.config.ts' });
    expect(() => refuseSecrets(CATALOG, files.files, holds)).not.toThrow();
  });
});

describe('errors the CLI prints', () => {
  it.each<[string, unknown, string]>([
    [
      'a server detail with escapes and a forged line',
      new AppsHubError({ method: 'GET', path: 'apps/', status: 400, detail: '\u001b]0;t\u0007bad\nNo changes. The server matches the config.' }),
      'Error: 400 Bad Request on GET apps/: \\x1b]0;t\\x07bad\\nNo changes. The server matches the config.\n',
    ],
    ['a bidi override in a message', new Error('a\u202eb'), 'Error: unexpected failure: a\\u202eb\n  This is a bug in p7apps; please report it with the command you ran.\n'],
  ])('%s: one safe line', (_what, err, printed) => {
    expect(formatError(err, {})).toBe(printed);
  });

  it('keeps the lines of a message built as a list, each escaped', () => {
    const err = new P7appsError('the config has 2 problems:\n  apps.0.name: bad \u009b2J\n  apps.1: bad', { multiline: true });
    expect(formatError(err, {}).split('\n').slice(1, 3)).toEqual(['  apps.0.name: bad \\x9b2J', '  apps.1: bad']);
  });
});
