'use strict';

// package.json and language-configuration.json: what VS Code reads without running any code.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const { ROOT, GRAMMAR } = require('./helpers');

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const config = JSON.parse(fs.readFileSync(path.join(ROOT, 'language-configuration.json'), 'utf8'));

/** The lowest version a `^x.y.z` or `>=x.y.z` range admits, as numbers. */
function lowest(range) {
  const m = /^(?:\^|>=)?(\d+)\.(\d+)\.(\d+)$/.exec(range);
  assert.ok(m, `unexpected version range ${range}`);
  return m.slice(1).map(Number);
}

function atLeast(a, b) {
  for (let i = 0; i < 3; i++) {
    if (a[i] !== b[i]) {
      return a[i] > b[i];
    }
  }
  return true;
}

test('the language clearance is contributed for .policy files', () => {
  const [language] = pkg.contributes.languages;
  assert.equal(language.id, 'clearance');
  assert.deepEqual(language.extensions, ['.policy']);
  assert.ok(fs.existsSync(path.join(ROOT, language.configuration)));
});

test('the grammar is contributed under the scope name it declares', () => {
  const [grammar] = pkg.contributes.grammars;
  assert.equal(grammar.language, 'clearance');
  assert.equal(grammar.scopeName, 'source.clearance');
  assert.equal(path.resolve(ROOT, grammar.path), GRAMMAR);
  assert.equal(JSON.parse(fs.readFileSync(GRAMMAR, 'utf8')).scopeName, 'source.clearance');
});

test('every include of the grammar names a rule of its repository', () => {
  const grammar = JSON.parse(fs.readFileSync(GRAMMAR, 'utf8'));
  const names = Object.keys(grammar.repository);
  const includes = [...JSON.stringify(grammar).matchAll(/"include":"#([^"]+)"/g)].map((m) => m[1]);
  assert.ok(includes.length > 10);
  assert.deepEqual(includes.filter((name) => !names.includes(name)), []);
  const unused = names.filter((name) => !includes.includes(name));
  assert.deepEqual(unused, []);
});

test('the settings have the documented names and defaults', () => {
  const props = pkg.contributes.configuration.properties;
  assert.equal(props['clearance.server.path'].type, 'string');
  assert.equal(props['clearance.server.path'].default, 'clearance');
  assert.equal(props['clearance.server.extraArgs'].type, 'array');
  assert.deepEqual(props['clearance.server.extraArgs'].default, []);
  assert.deepEqual(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations, [
    'clearance.server.path',
    'clearance.server.extraArgs',
  ]);
});

test('the extension starts on a .policy file and its entry point exists', () => {
  assert.deepEqual(pkg.activationEvents, ['onLanguage:clearance']);
  assert.ok(fs.existsSync(path.join(ROOT, pkg.main)));
  assert.deepEqual(pkg.contributes.commands.map((c) => c.command), ['clearance.restartServer']);
});

test('the VS Code version range suits the language client and the API types', () => {
  const engine = lowest(pkg.engines.vscode);
  const client = require('vscode-languageclient/package.json');
  assert.ok(atLeast(engine, lowest(client.engines.vscode)), 'vscode-languageclient needs a newer VS Code');
  assert.ok(atLeast(engine, lowest(pkg.devDependencies['@types/vscode'])), '@types/vscode is newer than engines.vscode');
});

test('every dependency is pinned to one version', () => {
  const all = { ...pkg.dependencies, ...pkg.devDependencies };
  assert.deepEqual(Object.entries(all).filter(([, v]) => !/^\d+\.\d+\.\d+$/.test(v)), []);
});

test('comments, brackets and quotes', () => {
  assert.equal(config.comments.lineComment, '#');
  assert.deepEqual(config.brackets, [['{', '}'], ['[', ']'], ['(', ')']]);
  const pairs = config.autoClosingPairs.map((p) => p.open + p.close);
  assert.deepEqual(pairs, ['{}', '[]', '()', '""']);
  assert.deepEqual(config.surroundingPairs.map((p) => p.join('')), ['{}', '[]', '()', '""']);
});

test('a word is a name, a number, a percent or a date', () => {
  const word = new RegExp(config.wordPattern, 'g');
  const words = (text) => text.match(word);
  assert.deepEqual(words('domestic_quota >= 30% and H200'), ['domestic_quota', '30%', 'and', 'H200']);
  assert.deepEqual(words('400_000 1_000.5 2.5% 2026-01-29'), ['400_000', '1_000.5', '2.5%', '2026-01-29']);
});

test('a line ending in `:`, `{`, `[` or `(` indents the next one', () => {
  const increase = new RegExp(config.indentationRules.increaseIndentPattern);
  for (const line of ['rule domestic_first:', 'schema {', 'test "a: b {" {', '  given [', '  given {  # a batch', 'rule r:  # why']) {
    assert.ok(increase.test(line), line);
  }
  for (const line of ['  id: text', '# a comment:', '  because "ends with a colon:"', '  note: text?  # optional:', '}']) {
    assert.ok(!increase.test(line), line);
  }
});

test('a closing bracket or the next item goes back', () => {
  const decrease = new RegExp(config.indentationRules.decreaseIndentPattern);
  for (const line of ['}', '  ]', 'rule next:', 'test "t" {', 'let x = 1', 'param p: int']) {
    assert.ok(decrease.test(line), line);
  }
  for (const line of ['  require x', '  rules_are_fine', '  deny when y']) {
    assert.ok(!decrease.test(line), line);
  }
});
