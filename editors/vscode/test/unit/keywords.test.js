'use strict';

// The reserved words and built-in functions of the language are never highlighted as plain
// names: the lists come from docs/language.md (Lexical rules) and from the parser's own grammar
// (grammar/clearance.pest), so a keyword added to the parser and not to the TextMate
// grammar fails here.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const { ROOT, tokenize, scopesOf } = require('./helpers');

// docs/language.md (Lexical rules), "Keywords are reserved".
const RESERVED = (
  'policy default schema let param set today rule test given expect by require before deny allow ' +
  'waitlist warn when because limit to per order else records error and or not in has true false'
).split(' ');

// docs/language.md (Built-in functions), "Built-in functions".
const FUNCTIONS = ['len', 'lower', 'upper', 'contains', 'starts_with', 'ends_with', 'min', 'max', 'abs', 'round'];

function pestKeywords() {
  const pest = fs.readFileSync(path.join(ROOT, '..', '..', 'grammar', 'clearance.pest'), 'utf8');
  return [...pest.matchAll(/^kw_\w+\s*=\s*@\{\s*"(\w+)"/gm)].map((m) => m[1]);
}

test('the parser reserves no word that docs/language.md does not', () => {
  const words = pestKeywords();
  assert.ok(words.length >= 30, `only ${words.length} keywords read from clearance.pest`);
  assert.deepEqual(words.filter((w) => !RESERVED.includes(w)), []);
});

for (const word of RESERVED) {
  test(`\`${word}\` is highlighted as a reserved word`, async () => {
    const scopes = scopesOf(await tokenize(`let x = a ${word} b`), word);
    const own = scopes[scopes.length - 1];
    assert.match(own, /^(keyword\.(control|operator|other\.verdict)|constant\.language)\./, own);
    assert.ok(own.endsWith('.clearance'), own);
  });

  test(`\`${word}_x\` and \`x_${word}\` are plain names`, async () => {
    const tokens = await tokenize(`let x = ${word}_x + x_${word}`);
    assert.deepEqual(scopesOf(tokens, `${word}_x`), ['source.clearance', 'variable.other.clearance']);
    assert.deepEqual(scopesOf(tokens, `x_${word}`), ['source.clearance', 'variable.other.clearance']);
  });
}

for (const name of FUNCTIONS) {
  test(`\`${name}(...)\` is a built-in function`, async () => {
    const tokens = await tokenize(`let x = ${name}(a, b)`);
    assert.deepEqual(scopesOf(tokens, name), ['source.clearance', 'support.function.builtin.clearance']);
  });
}

test('the verdicts have a scope of their own', async () => {
  for (const verdict of ['allow', 'deny', 'waitlist', 'warn', 'error']) {
    const scopes = scopesOf(await tokenize(`test "t" { expect ${verdict} }`), verdict);
    assert.equal(scopes[scopes.length - 1], `keyword.other.verdict.${verdict}.clearance`);
  }
});
