import { comparableCommentBody, formatError } from "@embedeval/core";
import { type GitHubApi, type IssueComment, statusOf } from "./github-api.js";

export interface StickyCommentOutcome {
  action: "created" | "updated" | "unchanged" | "skipped" | "forbidden";
  comment?: IssueComment;
  /** Why the comment could not be written (action "forbidden"): the token, the permission, a rate limit. */
  reason?: string;
}

/**
 * One comment per config on a pull request: found by its hidden marker AND its author (someone else's
 * comment quoting the marker is never edited), updated in place, left alone when the body is identical.
 * The author is the token's login for a user token; for an installation token (GITHUB_TOKEN or a GitHub
 * App token, whose bot login cannot be looked up) it is the newest comment with the marker by a Bot. A body
 * that differs only in its run details (timings, cost) leaves the comment as it is.
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
    const marked = comments.filter((comment) => comment.body.split("\n", 1)[0]?.trim() === marker);
    // A user token: its own login. An installation token (GITHUB_TOKEN, a GitHub App): its login is not
    // knowable, so the newest bot comment with the marker (humans quoting it are users, never edited).
    const existing =
      author !== undefined
        ? marked.find((comment) => comment.user?.login === author)
        : marked.filter((comment) => comment.user?.type === "Bot").at(-1);
    if (existing) {
      // Timings, cost and cache counts differ on every run: a change only there is not worth an edit (and a
      // notification), so only the part above the run-details marker is compared.
      if (comparableCommentBody(existing.body) === comparableCommentBody(body)) {
        return { action: "unchanged", comment: existing };
      }
      try {
        return { action: "updated", comment: await api.updateComment(existing.id, body) };
      } catch (error) {
        // Another bot's comment (e.g. github-actions[bot]'s, before the workflow switched to an app
        // token): not ours to edit. Post our own; being the newest, it is the one found next time.
        if (author !== undefined || statusOf(error) !== 403) throw error;
      }
    }
    if (!options.createIfMissing && !existing) return { action: "skipped" };
    return { action: "created", comment: await api.createComment(issue, body) };
  } catch (error) {
    const status = statusOf(error);
    if (status === 403 || status === 401 || status === 404 || status === 429) {
      return { action: "forbidden", reason: formatError(error).replace(/^error: /, "") };
    }
    throw error;
  }
}
