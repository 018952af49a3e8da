// Sums the JSON reports of several vitest runs (written where CUBQUEUE_TEST_REPORT pointed, see
// vitest.config.ts) into the one closing line CI prints: "N passed, N failed, N skipped".
// A test file that failed before its tests could run (an import error, say) counts as one failure.
//   node tools/test-summary.mjs REPORT.json…
import { readFileSync } from "node:fs";

const totals = { passed: 0, failed: 0, skipped: 0 };
for (const path of process.argv.slice(2)) {
  let report;
  try {
    report = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    console.log(`note: no test report in ${path}: that run stopped before its tests ran`);
    continue;
  }
  totals.passed += report.numPassedTests;
  totals.failed += report.numFailedTests;
  totals.skipped += report.numPendingTests + report.numTodoTests;
  totals.failed += report.testResults.filter((file) => file.status === "failed" && !file.assertionResults.some((test) => test.status === "failed")).length;
}
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
