// Prints the closing line CI reads, "N passed, N failed", from vitest's JSON report, plus the checks of any
// further reports given as {"passed": n, "failed": n} (the packaging test's).
import { readFileSync } from "node:fs";

const [vitestFile, ...checkFiles] = process.argv.slice(2);
let passed = 0;
let failed = 0;
try {
  const report = JSON.parse(readFileSync(vitestFile, "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests + (report.numFailedTestSuites > 0 && report.numFailedTests === 0 ? 1 : 0);
} catch (error) {
  console.log(`could not read the vitest report ${vitestFile}: ${error.message}`);
  failed += 1;
}
for (const file of checkFiles) {
  try {
    const checks = JSON.parse(readFileSync(file, "utf8"));
    if (!Number.isInteger(checks.passed) || !Number.isInteger(checks.failed))
      throw new Error("no passed/failed counts");
    passed += checks.passed;
    failed += checks.failed;
  } catch (error) {
    console.log(`could not read the check report ${file}: ${error.message}`);
    failed += 1;
  }
}
console.log(`${passed} passed, ${failed} failed`);
