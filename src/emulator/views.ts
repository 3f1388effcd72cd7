// The wire shape the emulator serves: the JSON objects of the guide plus the
// fields the README's "ASSUMPTIONS about the wire" (A1-A10) add. Every `url`
// is absolute, built from the emulator's own sign-in URL. An app object is
// the view of one version; `GET apps/{id}/` and the list give the default
// version's view, so they equal `GET apps/{id}@{default}/` (A4).

import type { App, Revision, VersionEntry, Workflow, World } from './world.js';

export const WORKFLOW_API_PATH = '/pseven/.rest/v2/';
export const APP_API_PATH = '/appshub/.rest/v2/';

export class WireViews {
  readonly workflowApi: string;
  readonly appApi: string;

  constructor(
    private readonly world: () => World,
    /** The sign-in URL, without a trailing slash. */
    readonly signInUrl: string,
  ) {
    this.workflowApi = `${signInUrl}${WORKFLOW_API_PATH}`;
    this.appApi = `${signInUrl}${APP_API_PATH}`;
  }

  workflowUrl(id: string): string {
    return `${this.workflowApi}workflows/${id}/`;
  }

  versionUrl(app: App, version: number): string {
    return `${this.appApi}apps/${app.id}@${version}/`;
  }

  thumbnailUrl(app: App): string {
    return `${this.appApi}apps/${app.id}/thumbnail/`;
  }

  workflow(wf: Workflow): Record<string, unknown> {
    return { id: wf.id, name: wf.name, path: wf.path, url: this.workflowUrl(wf.id), fingerprint: wf.fingerprint };
  }

  private revisionWorkflow(rev: Revision): Record<string, unknown> {
    const { id, name, path } = rev.workflow;
    return { id, name, path, url: this.workflowUrl(id) };
  }

  private workspace(app: App): { id: string; name: string } {
    const ws = this.world().workspaceById(app.workspaceId)!;
    return { id: ws.id, name: ws.name };
  }

  /** The fields every app object opens with, as in the guide. */
  private head(app: App, entry: VersionEntry): Record<string, unknown> {
    return {
      name: app.name,
      path: `/Apps/${app.name}.p7wf`,
      id: app.id,
      readme: null,
      url: this.versionUrl(app, entry.version),
      presets: null,
      parameters: null,
      results: null,
      runs: [],
      ui_url: null,
      app_url: null,
      workflow: this.revisionWorkflow(entry.current),
    };
  }

  /** One version's full view (`GET apps/{id}@{v}/`); app-wide fields are the app's. */
  version(app: App, entry: VersionEntry): Record<string, unknown> {
    const rev = entry.current;
    const { state, detail } = this.world().state(rev);
    return {
      ...this.head(app, entry),
      thumbnail: app.thumbnail ? this.thumbnailUrl(app) : null,
      fingerprint: rev.fingerprint,
      version: entry.version,
      revision: rev.revision,
      updated: rev.updated,
      versions: app.versions.map((v) => ({
        version: v.version,
        revision: v.current.revision,
        state: this.world().state(v.current).state,
        url: this.versionUrl(app, v.version),
      })),
      workspace: this.workspace(app),
      state,
      state_detail: detail,
      description: app.description,
      allow_get_as_workflow: app.allowCopy,
    };
  }

  /** The app as `GET apps/` and `GET apps/{id}/` give it: its default version's view. */
  app(app: App): Record<string, unknown> {
    const entry = app.versions.find((v) => v.version === app.defaultVersion)!;
    return this.version(app, entry);
  }

  /**
   * The 201 answer to a publish: the guide's "incomplete details of the app
   * version being published", field for field as the guide shows them.
   */
  published(app: App, entry: VersionEntry): Record<string, unknown> {
    return {
      ...this.head(app, entry),
      thumbnail: null,
      fingerprint: null,
      version: entry.version,
      revision: entry.current.revision,
      updated: entry.current.updated,
      versions: [],
      workspace: this.workspace(app),
      state: 'QUEUED_TO_INITIALIZE',
    };
  }
}
