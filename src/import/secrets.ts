// Import's refusal to write a secret into a config. A config goes to git, so
// when the server's catalog holds the token or the password (a server that
// echoes what it was sent, in an app name, a description, a workflow path,
// a thumbnail...) import writes nothing and says where each one was: which
// app and which field, never the value. Redacting instead would import a
// config that silently differs from the server.

import { isUnknown } from '../appshub/types.js';
import { P7appsError } from '../errors.js';
import type { CatalogApp, ServerCatalog } from './catalog.js';
import type { ImportFile } from './files.js';

export interface SecretPlace {
  /** How the app is named in the message: by name, or by id when the name holds the secret. */
  app: string;
  field: string;
}

/** Whether a text holds one of the secrets, in any form. */
export type HoldsSecret = (text: string) => boolean;

const textOf = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

/** The fields of an app that an import could write, with their values. */
function appFields(app: CatalogApp): [field: string, value: string][] {
  const fields: [string, string][] = [['name', app.name], ['id', app.id]];
  if (!isUnknown(app.workspace)) fields.push(['workspace name', app.workspace.name], ['workspace id', app.workspace.id]);
  if (typeof app.description === 'string') fields.push(['description', app.description]);
  const thumbnail = app.thumbnail;
  if (thumbnail !== null && !isUnknown(thumbnail)) {
    fields.push(['thumbnail URL', thumbnail.url]);
    if ('bytes' in thumbnail) fields.push(['thumbnail image', textOf(thumbnail.bytes)]);
  }
  for (const version of app.versions) {
    if (typeof version.workflowPath === 'string') fields.push([`version ${version.version} workflow path`, version.workflowPath]);
  }
  return fields;
}

/** Every app and field of the catalog that holds a secret. */
export function secretPlaces(catalog: ServerCatalog, holds: HoldsSecret): SecretPlace[] {
  const places: SecretPlace[] = [];
  if (holds(catalog.serverUrl)) places.push({ app: 'the config', field: 'server URL' });
  for (const app of catalog.apps) {
    const label = holds(app.name) ? (holds(app.id) ? 'an app' : `the app with id ${JSON.stringify(app.id)}`) : `app ${JSON.stringify(app.name)}`;
    for (const [field, value] of appFields(app)) if (holds(value)) places.push({ app: label, field });
  }
  return places;
}

/** The files of an import that hold a secret: the last line of defence, for anything secretPlaces does not name. */
export function secretFiles(files: ImportFile[], holds: HoldsSecret): SecretPlace[] {
  return files
    .filter((file) => holds(typeof file.content === 'string' ? file.content : textOf(file.content)))
    .map((file) => ({ app: file.app === undefined ? 'the config' : `app ${JSON.stringify(file.app)}`, field: `file ${file.path}` }));
}

export class SecretInImportError extends P7appsError {
  readonly places: SecretPlace[];

  constructor(places: SecretPlace[]) {
    const where = places.map((place) => `${place.app}: ${place.field}`).join('; ');
    super(`the server's catalog holds the token or password, which must not go into a config; nothing was written. Found in ${where}`, {
      hint: 'Remove it from those fields on the server (or ask its administrator to), then import again. Consider the token compromised and replace it.',
    });
    this.places = places;
  }
}

/** Throws SecretInImportError when the catalog or the files it became hold a secret. */
export function refuseSecrets(catalog: ServerCatalog, files: ImportFile[], holds: HoldsSecret): void {
  const places = secretPlaces(catalog, holds);
  if (places.length === 0) places.push(...secretFiles(files, holds));
  if (places.length > 0) throw new SecretInImportError(places);
}
