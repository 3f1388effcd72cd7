// GitHub's REST API as the CI flows use it: the pull request's comments
// (issues API), the pull request a merge commit came from, and the plan
// artifact (Actions artifacts API, a zip). GITHUB_API_URL is respected, so
// GitHub Enterprise Server works as github.com does.

import { GITHUB_COMMENT_LIMIT } from './comment.js';
import { apiAddress, CiError, readComments, send, sendComment, sendJson, type Forge, type ForgeComment, type HttpOptions, type MergedChange } from './forge.js';
import { readZipEntry, ZipError } from './zip.js';

/** The file the action uploads the saved plan as, inside the artifact. */
export const PLAN_FILE = 'plan.json';

interface GitHubComment {
  id: number;
  body?: string | null;
  user?: { login?: string } | null;
}

interface GitHubPull {
  number: number;
  merge_commit_sha?: string | null;
  merged_at?: string | null;
  head?: { sha?: string };
}

export interface GitHubOptions extends HttpOptions {
  apiUrl: string;
  /** owner/name */
  repository: string;
  token: string;
  /** The login of whoever the token comments as; github-actions[bot] for GITHUB_TOKEN. */
  commentAuthor: string;
}

export class GitHub implements Forge {
  readonly name = 'GitHub';
  readonly changeWord = 'pull request';
  readonly commentLimit = GITHUB_COMMENT_LIMIT;
  readonly #options: GitHubOptions;
  readonly #base: string;

  constructor(options: GitHubOptions) {
    if (!/^[\w.-]+\/[\w.-]+$/.test(options.repository)) throw new CiError(`GITHUB_REPOSITORY ${JSON.stringify(options.repository)} is not owner/name`);
    this.#options = options;
    this.#base = apiAddress(options.apiUrl, `/repos/${options.repository}`);
  }

  #headers(): Record<string, string> {
    return {
      Accept: 'application/vnd.github+json',
      Authorization: `Bearer ${this.#options.token}`,
      'X-GitHub-Api-Version': '2022-11-28',
      'User-Agent': 'p7apps-ci',
    };
  }

  async author(): Promise<string> {
    return this.#options.commentAuthor;
  }

  async listComments(change: string): Promise<ForgeComment[]> {
    const comments = await readComments<GitHubComment>(
      this.#options,
      `Reading the comments of pull request #${change}`,
      `${this.#base}/issues/${change}/comments`,
      this.#headers(),
    );
    return comments.map((c) => ({ id: String(c.id), body: c.body ?? '', author: c.user?.login ?? '' }));
  }

  async createComment(change: string, body: string): Promise<void> {
    await sendComment(this.#options, `Commenting on pull request #${change}`, `${this.#base}/issues/${change}/comments`, 'POST', this.#headers(), body);
  }

  async updateComment(change: string, id: string, body: string): Promise<void> {
    await sendComment(this.#options, `Updating comment ${id} of pull request #${change}`, `${this.#base}/issues/comments/${id}`, 'PATCH', this.#headers(), body);
  }

  async changeMergedBy(sha: string): Promise<MergedChange | null> {
    const pulls = await sendJson<GitHubPull[]>(this.#options, `Finding the pull request of commit ${sha.slice(0, 12)}`, `${this.#base}/commits/${sha}/pulls`, {
      headers: this.#headers(),
    });
    if (!Array.isArray(pulls)) throw new CiError('Finding the pull request of a commit failed: the answer is not a list');
    const merged = pulls.filter((p) => p.merged_at);
    const pull = merged.find((p) => p.merge_commit_sha === sha) ?? merged[0];
    if (!pull || typeof pull.head?.sha !== 'string') return null;
    return { number: String(pull.number), head: pull.head.sha };
  }

  async downloadPlan(artifact: string, maxBytes: number): Promise<Buffer> {
    const what = `Downloading the plan artifact ${artifact}`;
    // GitHub answers with a redirect to storage that must not receive our token: follow it by hand, without it.
    const first = await send(this.#options, what, `${this.#base}/actions/artifacts/${artifact}/zip`, { headers: this.#headers(), redirect: 'manual' }, [302, 410]);
    if (first.status === 410) {
      throw new CiError(`${what} failed: it has expired`, 'Artifacts are kept for the repository\'s retention period; run the pull request\'s plan again and merge after it.');
    }
    let res = first;
    if (first.status === 302) {
      const location = first.headers.get('location');
      if (!location || !URL.canParse(location)) throw new CiError(`${what} failed: GitHub redirected nowhere`);
      await first.body?.cancel();
      res = await send(this.#options, what, location, { redirect: 'follow' });
    }
    const zip = Buffer.from(await res.arrayBuffer());
    let plan: Buffer | null;
    try {
      plan = readZipEntry(zip, PLAN_FILE, maxBytes);
    } catch (err) {
      if (err instanceof ZipError) throw new CiError(`${what} failed: the artifact cannot be read (${err.message})`);
      throw err;
    }
    if (!plan) throw new CiError(`${what} failed: it holds no ${PLAN_FILE}`);
    return plan;
  }
}
