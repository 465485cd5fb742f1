'use strict';

// The packaged extension (run after `npm run package`): it holds what VS Code needs and no
// more, and its entry point loads with only the files inside the .vsix.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const yauzl = require('yauzl');

const ROOT = path.resolve(__dirname, '..', '..');
const VSIX = path.join(ROOT, 'clearance-policy.vsix');
const MAX_BYTES = 1024 * 1024;

/** Every entry of the zip file: name and bytes. */
function readZip(file) {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (error, zip) => {
      if (error) {
        return reject(error);
      }
      const entries = [];
      zip.on('error', reject);
      zip.on('end', () => resolve(entries));
      zip.on('entry', (entry) => {
        if (entry.fileName.endsWith('/')) {
          return zip.readEntry();
        }
        zip.openReadStream(entry, (err, stream) => {
          if (err) {
            return reject(err);
          }
          const chunks = [];
          stream.on('data', (c) => chunks.push(c));
          stream.on('end', () => {
            entries.push({ name: entry.fileName, data: Buffer.concat(chunks) });
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

test('the .vsix holds the extension and its runtime dependencies only', async (t) => {
  assert.ok(fs.existsSync(VSIX), `${VSIX} is missing: run \`npm run package\` first`);
  const size = fs.statSync(VSIX).size;
  assert.ok(size < MAX_BYTES, `the .vsix is ${size} bytes`);
  const names = (await readZip(VSIX)).map((e) => e.name);
  for (const needed of [
    'extension/package.json',
    'extension/src/extension.js',
    'extension/src/server-command.js',
    'extension/syntaxes/clearance.tmLanguage.json',
    'extension/language-configuration.json',
    'extension/LICENSE.txt',
    'extension/readme.md',
    'extension/node_modules/vscode-languageclient/node.js',
  ]) {
    assert.ok(names.includes(needed), `${needed} is not packaged`);
  }
  const unwanted = names.filter((n) =>
    /^extension\/(test\/|ci\.sh$|jsconfig\.json$|.*\.vsix$|node_modules\/(@vscode\/vsce|typescript|vscode-tmgrammar-test|vscode-textmate|yauzl)\/)/.test(n),
  );
  assert.deepEqual(unwanted, []);
  t.diagnostic(`${names.length} files, ${Math.round(size / 1024)} KB`);
});

test('the packaged entry point loads from the .vsix alone', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clearance-vsix-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const entry of await readZip(VSIX)) {
    const target = path.join(dir, entry.name);
    assert.ok(target.startsWith(dir + path.sep));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, entry.data);
  }
  const main = path.join(dir, 'extension', 'src', 'extension.js');
  // In a child process, with `vscode` as the only module from outside the .vsix (a stand-in
  // whose every member is a class, which is all that loading the language client needs).
  const probe = `
    const Module = require('module');
    const load = Module._load;
    const vscode = new Proxy({}, { get: (_, name) => (name === 'version' ? '1.82.0' : class {}) });
    Module._load = function (request, parent, isMain) {
      return request === 'vscode' ? vscode : load.call(this, request, parent, isMain);
    };
    const extension = require(${JSON.stringify(main)});
    const client = require.resolve('vscode-languageclient/node', { paths: [${JSON.stringify(path.dirname(main))}] });
    console.log(JSON.stringify({ exports: Object.keys(extension).sort(), client }));
  `;
  const out = JSON.parse(execFileSync(process.execPath, ['-e', probe], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH } }));
  assert.deepEqual(out.exports, ['activate', 'deactivate']);
  assert.ok(out.client.startsWith(path.join(dir, 'extension', 'node_modules')), out.client);
});
