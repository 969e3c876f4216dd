// Sums every package's jest results (written by `jest --json`) into the plain
// closing line CI reads: "jest: N passed, N failed". Exits 1 on any failure
// or when no test ran at all.
import { existsSync, readdirSync, readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let suitesFailed = 0;
for (const group of ['packages', 'apps', 'examples', 'tooling']) {
  if (!existsSync(group)) continue;
  for (const dir of readdirSync(group)) {
    const file = `${group}/${dir}/.jest-results.json`;
    if (!existsSync(file)) continue;
    const r = JSON.parse(readFileSync(file, 'utf8'));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    suitesFailed += r.numFailedTestSuites;
    if (r.numFailedTestSuites > 0 && r.numFailedTests === 0) failed += r.numFailedTestSuites;
  }
}
console.log(`jest: ${passed} passed, ${failed} failed`);
process.exit(failed || suitesFailed || passed === 0 ? 1 : 0);
