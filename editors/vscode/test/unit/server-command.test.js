'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { serverExecutable, resolveServerPath, extraArgs, findExecutable } = require('../../src/server-command');

const WORKSPACE = path.join(os.tmpdir(), 'workspace');

test('by default the server is `clearance lsp`', () => {
  assert.deepEqual(serverExecutable({ path: 'clearance', extraArgs: [] }, {}), { command: 'clearance', args: ['lsp'] });
  assert.deepEqual(serverExecutable({}, {}), { command: 'clearance', args: ['lsp'] });
});

test('extra arguments come after `lsp`, in order', () => {
  const executable = serverExecutable({ path: '/opt/bin/clearance', extraArgs: ['--log', 'debug'] }, {});
  assert.deepEqual(executable, { command: '/opt/bin/clearance', args: ['lsp', '--log', 'debug'] });
});

test('extra arguments that are not strings are left out', () => {
  assert.deepEqual(extraArgs(['a', 1, null, 'b']), ['a', 'b']);
  assert.deepEqual(extraArgs('--log'), []);
  assert.deepEqual(extraArgs(undefined), []);
});

test('a blank or missing path means `clearance`', () => {
  assert.equal(resolveServerPath('', {}), 'clearance');
  assert.equal(resolveServerPath('   ', {}), 'clearance');
  assert.equal(resolveServerPath(undefined, {}), 'clearance');
  assert.equal(resolveServerPath(42, {}), 'clearance');
});

test('a bare name stays a name, to be looked up on PATH', () => {
  assert.equal(resolveServerPath('clearance-nightly', { workspaceFolder: WORKSPACE }), 'clearance-nightly');
});

test('`~` is the home directory', () => {
  assert.equal(resolveServerPath('~/bin/clearance', { home: '/home/ada' }), path.join('/home/ada', 'bin', 'clearance'));
  assert.equal(resolveServerPath('~', { home: '/home/ada' }), path.join('/home/ada'));
});

test('a relative path and `${workspaceFolder}` are taken from the workspace folder', () => {
  const context = { workspaceFolder: WORKSPACE };
  assert.equal(resolveServerPath('target/release/clearance', context), path.join(WORKSPACE, 'target', 'release', 'clearance'));
  assert.equal(resolveServerPath('./clearance', context), path.join(WORKSPACE, 'clearance'));
  assert.equal(
    resolveServerPath('${workspaceFolder}/target/debug/clearance', context),
    path.join(WORKSPACE, 'target', 'debug', 'clearance'),
  );
  assert.equal(resolveServerPath('target/clearance', {}), 'target/clearance');
});

test('an executable is found on PATH or by its path, and a plain file is not', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clearance-vscode-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  const server = path.join(bin, 'clearance');
  fs.writeFileSync(server, '#!/bin/sh\n', { mode: 0o755 });
  const plain = path.join(bin, 'not-executable');
  fs.writeFileSync(plain, '', { mode: 0o644 });
  const env = { PATH: ['/nonexistent', bin].join(path.delimiter) };

  assert.equal(findExecutable('clearance', env, 'linux'), server);
  assert.equal(findExecutable(server, {}, 'linux'), server);
  assert.equal(findExecutable('missing', env, 'linux'), undefined);
  assert.equal(findExecutable(path.join(bin, 'missing'), env, 'linux'), undefined);
  assert.equal(findExecutable(bin, {}, 'linux'), undefined, 'a directory is not an executable');
  if (process.platform !== 'win32') {
    assert.equal(findExecutable(plain, {}, 'linux'), undefined, 'a file without the execute bit');
  }
});

test('on Windows PATHEXT is tried', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clearance-vscode-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const exe = path.join(dir, 'clearance.EXE');
  fs.writeFileSync(exe, '');
  assert.equal(findExecutable('clearance', { PATH: dir, PATHEXT: '.COM;.EXE' }, 'win32'), exe);
});
