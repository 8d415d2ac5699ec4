import * as core from "@actions/core";
import { type Comparison, type GateFinding, gateVerdict } from "@embedeval/core";
import type { ActionInputs } from "./action-inputs.js";

/** Where the step's log points the reader for each kind of finding. */
const whereToLook: Record<GateFinding["check"], string> = {
  failures: "see the warnings and the report",
  regressions: "see the annotations and the job summary",
};

/**
 * Sets the `regressed` output and the step's status by the same gate as `embedeval compare`, with the
 * action's fail-on-error and fail-on-regression inputs; what they waive is only logged.
 */
export function reportStepVerdict(
  comparison: Comparison,
  inputs: Pick<ActionInputs, "failOnError" | "failOnRegression">,
): void {
  core.setOutput("regressed", String(comparison.regressed));
  const verdict = gateVerdict(comparison, {
    failOnError: inputs.failOnError,
    failOnRegression: inputs.failOnRegression,
  });
  for (const finding of verdict.waived) {
    if (finding.check === "failures") {
      core.warning(
        `${finding.rows.length} gated model × task pair(s) failed to evaluate; fail-on-error is false`,
      );
    } else {
      core.info("regressions found, but fail-on-regression is false");
    }
  }
  for (const finding of verdict.reasons) {
    core.setFailed(`${finding.summary}; ${whereToLook[finding.check]}.`);
  }
}
