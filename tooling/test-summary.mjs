// Sums every package's jest results (written by `jest --json`) into the plain
// closing line CI reads: "jest: N passed, N failed", after one line per
// package with its counts and how long its tests ran. Exits 1 on any failure
// or when no test ran at all.
import { existsSync, readdirSync, readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let suitesFailed = 0;
const rows = [];
for (const group of ['packages', 'apps', 'examples', 'tooling']) {
  if (!existsSync(group)) continue;
  for (const dir of readdirSync(group)) {
    const file = `${group}/${dir}/.jest-results.json`;
    if (!existsSync(file)) continue;
    const r = JSON.parse(readFileSync(file, 'utf8'));
    // A suite that failed to run counts as one failed test, so the line never reads 0 failed.
    const failedHere =
      r.numFailedTests + (r.numFailedTestSuites > 0 && r.numFailedTests === 0 ? r.numFailedTestSuites : 0);
    passed += r.numPassedTests;
    failed += failedHere;
    suitesFailed += r.numFailedTestSuites;
    const end = Math.max(r.startTime, ...r.testResults.map((t) => t.endTime ?? t.perfStats?.end ?? 0));
    rows.push({
      name: `${group}/${dir}`,
      passed: r.numPassedTests,
      failed: failedHere,
      seconds: (end - r.startTime) / 1000,
    });
  }
}
const width = Math.max(0, ...rows.map((row) => row.name.length));
for (const row of rows.sort((a, b) => b.seconds - a.seconds)) {
  const counts = `${row.passed} passed, ${row.failed} failed`;
  console.log(`  ${row.name.padEnd(width)}  ${row.seconds.toFixed(1).padStart(6)} s  ${counts}`);
}
console.log(`jest: ${passed} passed, ${failed} failed`);
process.exit(failed || suitesFailed || passed === 0 ? 1 : 0);
