// GitLab's REST API (v4) as the CI flows use it: the merge request's notes,
// the merge request a commit on the default branch came from, and the saved
// plan among the plan job's artifacts (one file, served as it is).

import { GITLAB_NOTE_LIMIT } from './comment.js';
import { apiAddress, CiError, readComments, send, sendComment, sendJson, type Forge, type ForgeComment, type HttpOptions, type MergedChange } from './forge.js';

interface GitLabNote {
  id: number;
  body?: string | null;
  system?: boolean;
  author?: { username?: string } | null;
}

interface GitLabMergeRequest {
  iid: number;
  state?: string;
  sha?: string | null;
  merge_commit_sha?: string | null;
  squash_commit_sha?: string | null;
}

export interface GitLabOptions extends HttpOptions {
  /** CI_API_V4_URL */
  apiUrl: string;
  /** CI_PROJECT_ID */
  project: string;
  /** A project or personal access token with the api scope. */
  token: string;
  /** Where the plan job keeps the saved plan, relative to the project's folder (its artifact path). */
  planPath: string;
}

export class GitLab implements Forge {
  readonly name = 'GitLab';
  readonly changeWord = 'merge request';
  readonly commentLimit = GITLAB_NOTE_LIMIT;
  readonly #options: GitLabOptions;
  readonly #base: string;
  #username: Promise<string> | undefined;

  constructor(options: GitLabOptions) {
    if (!/^[0-9]+$/.test(options.project)) throw new CiError(`CI_PROJECT_ID ${JSON.stringify(options.project)} is not a number`);
    this.#options = options;
    this.#base = apiAddress(options.apiUrl, `/projects/${options.project}`);
  }

  #headers(): Record<string, string> {
    return { 'PRIVATE-TOKEN': this.#options.token, 'User-Agent': 'p7apps-ci' };
  }

  author(): Promise<string> {
    this.#username ??= sendJson<{ username?: unknown }>(this.#options, 'Reading who the GitLab token belongs to', apiAddress(this.#options.apiUrl, '/user'), {
      headers: this.#headers(),
    }).then((user) => {
      if (typeof user.username !== 'string' || user.username === '') throw new CiError('Reading who the GitLab token belongs to failed: no username in the answer');
      return user.username;
    });
    return this.#username;
  }

  async listComments(change: string): Promise<ForgeComment[]> {
    const notes = await readComments<GitLabNote>(
      this.#options,
      `Reading the notes of merge request !${change}`,
      `${this.#base}/merge_requests/${change}/notes?sort=asc&order_by=created_at`,
      this.#headers(),
    );
    return notes.filter((n) => !n.system).map((n) => ({ id: String(n.id), body: n.body ?? '', author: n.author?.username ?? '' }));
  }

  async createComment(change: string, body: string): Promise<void> {
    await sendComment(this.#options, `Adding a note to merge request !${change}`, `${this.#base}/merge_requests/${change}/notes`, 'POST', this.#headers(), body);
  }

  async updateComment(change: string, id: string, body: string): Promise<void> {
    await sendComment(this.#options, `Updating note ${id} of merge request !${change}`, `${this.#base}/merge_requests/${change}/notes/${id}`, 'PUT', this.#headers(), body);
  }

  async changeMergedBy(sha: string): Promise<MergedChange | null> {
    const requests = await sendJson<GitLabMergeRequest[]>(
      this.#options,
      `Finding the merge request of commit ${sha.slice(0, 12)}`,
      `${this.#base}/repository/commits/${sha}/merge_requests`,
      { headers: this.#headers() },
    );
    if (!Array.isArray(requests)) throw new CiError('Finding the merge request of a commit failed: the answer is not a list');
    const merged = requests.filter((r) => r.state === 'merged');
    const request = merged.find((r) => r.merge_commit_sha === sha || r.squash_commit_sha === sha) ?? merged[0];
    if (!request || typeof request.sha !== 'string') return null;
    return { number: String(request.iid), head: request.sha };
  }

  async downloadPlan(artifact: string, maxBytes: number): Promise<Buffer> {
    const what = `Downloading the saved plan from job ${artifact}`;
    const file = this.#options.planPath.split('/').map(encodeURIComponent).join('/');
    const res = await send(this.#options, what, `${this.#base}/jobs/${artifact}/artifacts/${file}`, { headers: this.#headers() });
    const bytes = Buffer.from(await res.arrayBuffer());
    if (bytes.length > maxBytes) throw new CiError(`${what} failed: it is larger than ${maxBytes} bytes`);
    return bytes;
  }
}
