// Sums the JSON reports of several vitest runs (written where CUBQUEUE_TEST_REPORT pointed, see
// vitest.config.ts) into the one closing line CI prints: "N passed, N failed, N skipped".
// A test file that failed before its tests could run (an import error, say) counts as one failure.
// Each failure is named above that line, with the first line of its message, so the end of a long
// log says what failed.
//   node tools/test-summary.mjs REPORT.json…
import { readFileSync } from "node:fs";
import { basename, relative } from "node:path";

const totals = { passed: 0, failed: 0, skipped: 0 };
const failures = [];
const firstLine = (messages) => String(messages?.[0] ?? "").split("\n")[0].slice(0, 300);
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
  const run = basename(path, ".json");
  for (const file of report.testResults) {
    const name = relative(process.cwd(), file.name);
    const failedTests = file.assertionResults.filter((test) => test.status === "failed");
    for (const test of failedTests) failures.push(`${run}: ${name} > ${test.fullName}: ${firstLine(test.failureMessages)}`);
    if (file.status === "failed" && failedTests.length === 0) {
      totals.failed += 1;
      failures.push(`${run}: ${name}: ${firstLine([file.message])}`);
    }
  }
}
for (const failure of failures) console.log(`failed: ${failure}`);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
