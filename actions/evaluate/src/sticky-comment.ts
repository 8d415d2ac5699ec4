import { type GitHubApi, type IssueComment, statusOf } from "./github-api.js";

export interface StickyCommentOutcome {
  action: "created" | "updated" | "unchanged" | "skipped" | "forbidden";
  comment?: IssueComment;
}

/**
 * One comment per config on a pull request: found by its hidden marker AND its author (someone else's
 * comment quoting the marker is never edited), updated in place, left alone when the body is identical.
 * A 403 (fork pull requests get a read-only token) is an outcome, not a crash.
 */
export async function upsertStickyComment(
  api: GitHubApi,
  issue: number,
  marker: string,
  body: string,
  options: { createIfMissing: boolean },
): Promise<StickyCommentOutcome> {
  try {
    const author = await api.tokenLogin();
    const comments = await api.listComments(issue);
    const existing = comments.find(
      (comment) => comment.user?.login === author && comment.body.split("\n", 1)[0]?.trim() === marker,
    );
    if (existing) {
      if (existing.body === body) return { action: "unchanged", comment: existing };
      return { action: "updated", comment: await api.updateComment(existing.id, body) };
    }
    if (!options.createIfMissing) return { action: "skipped" };
    return { action: "created", comment: await api.createComment(issue, body) };
  } catch (error) {
    const status = statusOf(error);
    if (status === 403 || status === 401 || status === 404) return { action: "forbidden" };
    throw error;
  }
}
