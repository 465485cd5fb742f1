'use strict';

// The extension with the real vscode-languageclient, talking to a stand-in server process
// over stdio: the `vscode` API is a stand-in (everything the client merely registers is a
// no-op), the protocol and the process are real.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const os = require('os');
const path = require('path');
const Module = require('module');

const EXTENSION = path.resolve(__dirname, '..', '..', 'src', 'extension.js');
const FAKE_SERVER = path.join(__dirname, 'fake-server.js');

/** A value that accepts any property access, call or `new`, and does nothing. */
function inert() {
  return new Proxy(function () {}, {
    get(_, prop) {
      if (prop === 'then') {
        return undefined; // not a promise
      }
      if (prop === Symbol.iterator) {
        return [][Symbol.iterator].bind([]);
      }
      if (prop === Symbol.toPrimitive) {
        return () => 0;
      }
      return inert();
    },
    apply: () => inert(),
    construct: () => inert(),
  });
}

function fakeUri(fsPath) {
  return { scheme: 'file', fsPath, path: fsPath, toString: () => `file://${fsPath}` };
}

function fakeDocument(fsPath, languageId, text) {
  return { uri: fakeUri(fsPath), fileName: fsPath, languageId, version: 1, isClosed: false, getText: () => text };
}

/** `vscode.languages.match` for filters of `scheme` and `language`, as VS Code scores them. */
function match(selector, document) {
  const filters = Array.isArray(selector) ? selector : [selector];
  return filters.some(
    (f) => (f.scheme === undefined || f.scheme === document.uri.scheme) && (f.language === undefined || f.language === document.languageId),
  )
    ? 10
    : 0;
}

function fakeVscode(settings, documents) {
  const any = inert();
  const workspace = new Proxy(
    {
      getConfiguration: (section) => ({
        get: (key, fallback) => (section === 'clearance' && key in settings ? settings[key] : fallback),
        has: () => false,
        inspect: () => undefined,
      }),
      workspaceFolders: undefined,
      textDocuments: documents,
    },
    { get: (target, prop) => (prop in target ? target[prop] : any[prop]) },
  );
  const languages = new Proxy({ match }, { get: (target, prop) => (prop in target ? target[prop] : any[prop]) });
  return new Proxy(
    { version: '1.82.0', workspace, languages },
    { get: (target, prop) => (prop in target ? target[prop] : any[prop]) },
  );
}

function readLog(file) {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : [];
}

test('the client starts `clearance lsp`, opens .policy documents on it, and shuts it down', { skip: process.platform === 'win32' }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clearance-vscode-lsp-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const server = path.join(dir, 'clearance');
  fs.writeFileSync(server, `#!/bin/sh\nexec "${process.execPath}" "${FAKE_SERVER}" "$@"\n`, { mode: 0o755 });
  const log = path.join(dir, 'messages.ndjson');
  process.env.FAKE_LSP_LOG = log;

  const policy = 'policy "p"\nschema { id: text }\n';
  const vscode = fakeVscode({ 'server.path': server, 'server.extraArgs': ['--from-test'] }, [
    fakeDocument(path.join(dir, 'a.policy'), 'clearance', policy),
    fakeDocument(path.join(dir, 'data.json'), 'json', '[]'),
  ]);
  const originalLoad = Module._load;
  Module._load = function load(request, parent, isMain) {
    return request === 'vscode' ? vscode : originalLoad.call(this, request, parent, isMain);
  };
  t.after(() => {
    Module._load = originalLoad;
  });

  const extension = require(EXTENSION);
  await extension.activate({ subscriptions: [] });
  await extension.deactivate();

  const entries = readLog(log);
  assert.deepEqual(entries[0], { argv: ['lsp', '--from-test'] });
  const methods = entries.slice(1).map((e) => e.method);
  assert.deepEqual(methods, ['initialize', 'initialized', 'textDocument/didOpen', 'shutdown', 'exit']);
  const opened = entries.find((e) => e.method === 'textDocument/didOpen').params.textDocument;
  assert.deepEqual(opened, { uri: `file://${path.join(dir, 'a.policy')}`, languageId: 'clearance', version: 1, text: policy });
  const init = entries.find((e) => e.method === 'initialize').params;
  assert.equal(init.processId, process.pid);
  assert.equal(init.rootUri, null, 'no workspace folder is open');
});
