// The wire shape the emulator serves: the JSON objects of the guide plus the
// fields the README's "ASSUMPTIONS about the wire" (A1-A10) add. Every `url`
// is absolute, built from the emulator's own sign-in URL. An app object is
// the view of one version; `GET apps/{id}/` and the list give the default
// version's view, so they equal `GET apps/{id}@{default}/` (A4). Every
// object passes through the active server profiles (./profiles.ts) last, so a
// profile can serve a shape the guide allows but the defaults do not.

import { ActiveProfiles, type ProfileContext, type WireJson } from './profiles.js';
import type { EmulatedRun } from './runs.js';
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
    readonly profiles: ActiveProfiles = new ActiveProfiles(undefined),
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

  /**
   * A run's JSON (./runs.ts): its `url` is under the endpoint it was
   * deployed at (a run of a given version under `apps/{id}@{v}/runs/`), and
   * `workflow` / `workflow_url` name what it runs.
   */
  run(run: EmulatedRun, short: boolean): Record<string, unknown> {
    const owner = run.owner;
    let urls: { run: string; owner: string; ownerPath: string };
    if (owner.kind === 'workflow') {
      urls = { run: `${this.workflowUrl(owner.id)}runs/${run.id}/`, owner: this.workflowUrl(owner.id), ownerPath: owner.path };
    } else {
      const appUrl = owner.given ? `${this.appApi}apps/${owner.id}@${owner.version}/` : `${this.appApi}apps/${owner.id}/`;
      urls = { run: `${appUrl}runs/${run.id}/`, owner: `${this.appApi}apps/${owner.id}@${owner.version}/`, ownerPath: `/Apps/${owner.name}.p7wf` };
    }
    return this.world().runs.view(run, urls, short);
  }

  /** The thumbnail's URL as served in `thumbnail`. */
  thumbnailUrl(app: App): string {
    return this.profiles.shape('thumbnailUrl', `${this.appApi}apps/${app.id}/thumbnail/`, this.context(app));
  }

  private context(app?: App): ProfileContext {
    return app ? { signInUrl: this.signInUrl, app } : { signInUrl: this.signInUrl };
  }

  workflow(wf: Workflow): WireJson {
    const obj = { id: wf.id, name: wf.name, path: wf.path, url: this.workflowUrl(wf.id), fingerprint: wf.fingerprint };
    return this.profiles.shape('workflowObject', obj, this.context());
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
  version(app: App, entry: VersionEntry): WireJson {
    const rev = entry.current;
    const { state, detail } = this.world().state(rev);
    const ctx = this.context(app);
    const obj = {
      ...this.head(app, entry),
      thumbnail: app.thumbnail ? this.thumbnailUrl(app) : null,
      fingerprint: rev.fingerprint,
      version: entry.version,
      revision: rev.revision,
      updated: rev.updated,
      versions: app.versions.map((v) =>
        this.profiles.shape(
          'versionsEntry',
          {
            version: v.version,
            revision: v.current.revision,
            state: this.servedState(v),
            url: this.versionUrl(app, v.version),
          },
          ctx,
        ),
      ),
      workspace: this.workspace(app),
      state: this.profiles.shape('servedState', state, ctx),
      state_detail: detail,
      description: app.description,
      allow_get_as_workflow: app.allowCopy,
    };
    return this.profiles.shape('appObject', obj, ctx);
  }

  private servedState(entry: VersionEntry): string {
    return this.profiles.shape('servedState', this.world().state(entry.current).state, this.context());
  }

  /** The app as `GET apps/` and `GET apps/{id}/` give it: its default version's view. */
  app(app: App): WireJson {
    const entry = app.versions.find((v) => v.version === app.defaultVersion)!;
    return this.version(app, entry);
  }

  /** The app as an entry of `GET apps/`. */
  listEntry(app: App): WireJson {
    return this.profiles.shape('listEntry', this.app(app), this.context(app));
  }

  /**
   * The 201 answer to a publish: the guide's "incomplete details of the app
   * version being published", field for field as the guide shows them.
   */
  published(app: App, entry: VersionEntry): WireJson {
    const obj = {
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
    return this.profiles.shape('publishAnswer', obj, this.context(app));
  }
}
