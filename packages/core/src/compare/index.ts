export type { CompareOptions, HeadFailure } from "./compare-results.js";
export { compareResults, ruleFor } from "./compare-results.js";
export { type CompareOverride, type CompareRule, type DropRule, defaultCompareRule } from "./compare-rule.js";
export type {
  Comparison,
  ComparisonEntry,
  ComparisonRow,
  RowStatus,
  RuleLevel,
  Verdict,
} from "./comparison.js";
export { type GateFinding, type GatePolicy, type GateVerdict, gateVerdict } from "./gate-verdict.js";
