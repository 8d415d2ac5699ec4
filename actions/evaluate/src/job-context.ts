import type { ActionInputs } from "./action-inputs.js";

/** What every job of the action starts from: the inputs, where the config is, and the cancellation signal. */
export interface JobContext {
  inputs: ActionInputs;
  /** GITHUB_WORKSPACE: the checkout. */
  workspace: string;
  /** The `working-directory` input, absolute: the config's relative paths resolve from it. */
  workingDirectory: string;
  /** The `config` input, absolute. */
  configFile: string;
  /** Aborted when the runner cancels the job; the embedding cache is still saved. */
  signal: AbortSignal;
}
