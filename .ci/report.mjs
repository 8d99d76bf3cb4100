// Reads vitest's JSON report and prints what CI counts: failures by name, skips that were
// not expected (a new skip fails the run: under CI a tier never turns into silent skips),
// and the closing line `N passed, N failed, N skipped`. Exit 1 when anything failed or an
// unexpected skip appeared.
//
//   node .ci/report.mjs [.vitest-report.json] [.ci/expected-skips.txt]
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const say = (line) => process.stdout.write(`${line}\n`);

const [reportPath = '.vitest-report.json', expectedPath = '.ci/expected-skips.txt'] =
  process.argv.slice(2);

let report;
try {
  report = JSON.parse(readFileSync(reportPath, 'utf8'));
} catch (error) {
  say(`no vitest report at ${reportPath}: ${error.message}`);
  say('0 passed, 1 failed, 0 skipped');
  process.exit(1);
}

// One full name a line; blank lines and `#` comments are ignored.
const expectedSkips = new Set(
  readFileSync(expectedPath, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#')),
);

const SKIPPED = new Set(['skipped', 'pending', 'todo', 'disabled']);
let passed = 0;
const failed = [];
const skipped = [];
for (const file of report.testResults ?? []) {
  const name = relative(process.cwd(), file.name);
  const tests = file.assertionResults ?? [];
  // A file that fails before its tests run (a missing prerequisite under CI, a syntax error)
  // has no test results: it counts as one failure, under its own name.
  if (file.status === 'failed' && !tests.some((test) => test.status === 'failed')) {
    failed.push({ name, message: file.message ?? '' });
  }
  for (const test of tests) {
    if (test.status === 'passed') passed++;
    else if (test.status === 'failed') {
      failed.push({ name: `${name} > ${test.fullName}`, message: test.failureMessages?.[0] ?? '' });
    } else if (SKIPPED.has(test.status)) skipped.push(test.fullName);
  }
}

const unexpected = skipped.filter((name) => !expectedSkips.has(name));
if (failed.length > 0) {
  say(`failed (${failed.length}):`);
  for (const { name, message } of failed) {
    say(`  ${name}`);
    const first = message.split('\n').find((line) => line.trim() !== '');
    if (first) say(`      ${first.trim().slice(0, 300)}`);
  }
}
if (skipped.length > 0) {
  say(`skipped (${skipped.length}, ${skipped.length - unexpected.length} expected):`);
  for (const name of skipped) {
    say(`  ${expectedSkips.has(name) ? 'expected  ' : 'UNEXPECTED'} ${name}`);
  }
}
if (unexpected.length > 0) {
  say(`${unexpected.length} skip(s) not listed in ${expectedPath}: a skip under CI is a failure`);
}
say(`${passed} passed, ${failed.length + unexpected.length} failed, ${skipped.length} skipped`);
process.exit(failed.length > 0 || unexpected.length > 0 ? 1 : 0);
