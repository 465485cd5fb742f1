'use strict';

// The annotated files of test/grammar, run through vscode-tmgrammar-test's own parser and
// checker (as `npm run test:grammar` does), here to count their assertions and to keep the
// full sample in step with the policy it copies.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const { parseGrammarTestCase, runGrammarTestCase } = require('vscode-tmgrammar-test/dist/unit/index');
const { ROOT, loadGrammar } = require('./helpers');

const DIR = path.join(ROOT, 'test', 'grammar');
const FILES = fs.readdirSync(DIR).filter((f) => f.endsWith('.policy')).sort();

/** A registry-like object that gives vscode-tmgrammar-test our grammar. */
const registry = { loadGrammar: () => loadGrammar() };

function readCase(file) {
  return parseGrammarTestCase(fs.readFileSync(path.join(DIR, file), 'utf8'));
}

function countAssertions(testCase) {
  return testCase.assertions.reduce((n, line) => n + line.scopeAssertions.length, 0);
}

test('the grammar test files are the expected ones', () => {
  assert.deepEqual(FILES, ['h200_first_batch.policy', 'keywords.policy', 'numbers.policy', 'schema.policy', 'strings.policy']);
});

for (const file of FILES) {
  test(`every assertion of ${file} holds`, async (t) => {
    const testCase = readCase(file);
    assert.equal(testCase.metadata.commentToken, '#');
    assert.equal(testCase.metadata.scope, 'source.clearance');
    const count = countAssertions(testCase);
    assert.ok(count >= 40, `${file} has only ${count} assertions`);
    const failures = await runGrammarTestCase(registry, testCase);
    assert.deepEqual(failures, []);
    t.diagnostic(`${count} assertions`);
  });
}

test('the annotated sample is policies/h200_first_batch.policy with assertions added', () => {
  const source = readCase('h200_first_batch.policy').source.join('\n');
  const policy = fs.readFileSync(path.join(ROOT, '..', '..', 'policies', 'h200_first_batch.policy'), 'utf8');
  assert.equal(source, policy);
});

test('a wrong assertion fails', async () => {
  const testCase = parseGrammarTestCase(
    ['# SYNTAX TEST "source.clearance"', 'rule r:', '# <---- keyword.operator.logical.clearance'].join('\n'),
  );
  const failures = await runGrammarTestCase(registry, testCase);
  assert.equal(failures.length, 1);
  assert.deepEqual(failures[0].missing, ['keyword.operator.logical.clearance']);
});
