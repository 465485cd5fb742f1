'use strict';

// Shared by the unit tests: the extension's folder, and the grammar loaded the way VS Code
// loads it (vscode-textmate with the Oniguruma WebAssembly build).

const fs = require('fs');
const path = require('path');
const tm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const ROOT = path.resolve(__dirname, '..', '..');
const GRAMMAR = path.join(ROOT, 'syntaxes', 'clearance.tmLanguage.json');

/** @type {Promise<tm.IGrammar> | undefined} */
let grammar;

function loadGrammar() {
  if (grammar === undefined) {
    const wasm = fs.readFileSync(path.join(path.dirname(require.resolve('vscode-oniguruma')), 'onig.wasm'));
    const onigLib = oniguruma.loadWASM(wasm.buffer).then(() => ({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }));
    const registry = new tm.Registry({
      onigLib,
      loadGrammar: async (scopeName) =>
        scopeName === 'source.clearance' ? tm.parseRawGrammar(fs.readFileSync(GRAMMAR, 'utf8'), GRAMMAR) : null,
    });
    grammar = registry.loadGrammar('source.clearance').then((g) => {
      if (g === null) {
        throw new Error('source.clearance did not load');
      }
      return g;
    });
  }
  return grammar;
}

/**
 * The tokens of `text`, line by line: `{ line, text, scopes }` for each non-blank token.
 *
 * @param {string} text
 */
async function tokenize(text) {
  const g = await loadGrammar();
  let stack = tm.INITIAL;
  const tokens = [];
  text.split('\n').forEach((line, n) => {
    const result = g.tokenizeLine(line, stack);
    stack = result.ruleStack;
    for (const token of result.tokens) {
      const piece = line.slice(token.startIndex, token.endIndex);
      if (piece.trim() !== '') {
        tokens.push({ line: n, text: piece, scopes: token.scopes });
      }
    }
  });
  return tokens;
}

/**
 * The scopes of the first token whose text is exactly `word`.
 *
 * @param {Array<{ text: string, scopes: string[] }>} tokens
 * @param {string} word
 */
function scopesOf(tokens, word) {
  const token = tokens.find((t) => t.text === word);
  if (token === undefined) {
    throw new Error(`no token \`${word}\` in ${JSON.stringify(tokens.map((t) => t.text))}`);
  }
  return token.scopes;
}

module.exports = { ROOT, GRAMMAR, loadGrammar, tokenize, scopesOf };
