'use strict';

// src/extension.js with stand-ins for the `vscode` API and for vscode-languageclient's
// LanguageClient: what it starts, with which options, and when it stops and restarts.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const os = require('os');
const path = require('path');
const Module = require('module');

const EXTENSION = require.resolve('../../src/extension');

/** Everything the stand-ins saw, reset for each test. */
let world;

function freshWorld(settings, workspaceFolder) {
  return {
    settings,
    workspaceFolder,
    clients: [],
    commands: new Map(),
    configListeners: [],
    errors: [],
    executed: [],
    errorChoice: undefined,
    startFails: false,
  };
}

class FakeLanguageClient {
  constructor(id, name, serverOptions, clientOptions) {
    Object.assign(this, { id, name, serverOptions, clientOptions, starts: 0, stops: 0 });
    world.clients.push(this);
  }
  async start() {
    this.starts++;
    if (world.startFails) {
      throw new Error('spawn failed');
    }
  }
  async stop() {
    this.stops++;
  }
}

const fakeVscode = {
  workspace: {
    getConfiguration: (section) => {
      assert.equal(section, 'clearance');
      return { get: (key) => world.settings[key] };
    },
    get workspaceFolders() {
      return world.workspaceFolder ? [{ uri: { scheme: 'file', fsPath: world.workspaceFolder } }] : undefined;
    },
    onDidChangeConfiguration: (listener) => {
      world.configListeners.push(listener);
      return { dispose() {} };
    },
  },
  commands: {
    registerCommand: (id, fn) => {
      world.commands.set(id, fn);
      return { dispose() {} };
    },
    executeCommand: async (...args) => {
      world.executed.push(args);
    },
  },
  window: {
    showErrorMessage: async (message, ...items) => {
      world.errors.push({ message, items });
      return world.errorChoice;
    },
  },
};

const originalLoad = Module._load;
Module._load = function load(request, parent, isMain) {
  if (request === 'vscode') {
    return fakeVscode;
  }
  if (request === 'vscode-languageclient/node') {
    return { LanguageClient: FakeLanguageClient };
  }
  return originalLoad.call(this, request, parent, isMain);
};

/** A fresh copy of the extension module (it keeps its client in module state). */
function loadExtension() {
  delete require.cache[EXTENSION];
  return require(EXTENSION);
}

function context() {
  return { subscriptions: [] };
}

function changeSettings(affected) {
  const event = { affectsConfiguration: (section) => affected.some((s) => s === section || s.startsWith(section + '.')) };
  world.configListeners.forEach((listener) => listener(event));
}

/** Lets the restart chain (promises) run to its end. */
function settle() {
  return new Promise((resolve) => setImmediate(resolve));
}

function makeServer(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clearance-vscode-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.mkdirSync(path.join(dir, 'bin'));
  const server = path.join(dir, 'bin', 'clearance');
  fs.writeFileSync(server, '#!/bin/sh\n', { mode: 0o755 });
  return { dir, server };
}

test('activation starts `clearance lsp` over stdio for .policy documents', async (t) => {
  const { server } = makeServer(t);
  world = freshWorld({ 'server.path': server, 'server.extraArgs': ['--log', 'debug'] });
  const extension = loadExtension();
  await extension.activate(context());

  assert.equal(world.clients.length, 1);
  const [client] = world.clients;
  assert.equal(client.id, 'clearance');
  assert.equal(client.name, 'Clearance Language Server');
  const executable = { command: server, args: ['lsp', '--log', 'debug'] };
  assert.deepEqual(client.serverOptions, { run: executable, debug: executable });
  assert.equal('transport' in client.serverOptions.run, false, 'a transport would add `--stdio` to the arguments');
  assert.deepEqual(client.clientOptions.documentSelector, [
    { scheme: 'file', language: 'clearance' },
    { scheme: 'untitled', language: 'clearance' },
  ]);
  assert.equal(client.starts, 1);
  assert.deepEqual(world.errors, []);

  await extension.deactivate();
  assert.equal(client.stops, 1);
});

test('a relative server path is taken from the workspace folder', async (t) => {
  const { dir, server } = makeServer(t);
  world = freshWorld({ 'server.path': 'bin/clearance' }, dir);
  const extension = loadExtension();
  await extension.activate(context());
  assert.equal(world.clients.length, 1);
  assert.equal(world.clients[0].serverOptions.run.command, server);
  assert.deepEqual(world.clients[0].serverOptions.run.args, ['lsp']);
  await extension.deactivate();
});

test('changing a server setting restarts the server with the new one', async (t) => {
  const { server } = makeServer(t);
  world = freshWorld({ 'server.path': server, 'server.extraArgs': [] });
  const extension = loadExtension();
  await extension.activate(context());

  changeSettings(['editor.fontSize']);
  await settle();
  assert.equal(world.clients.length, 1, 'an unrelated setting changes nothing');

  world.settings['server.extraArgs'] = ['--verbose'];
  changeSettings(['clearance.server.extraArgs']);
  await settle();
  assert.equal(world.clients.length, 2);
  assert.equal(world.clients[0].stops, 1);
  assert.deepEqual(world.clients[1].serverOptions.run.args, ['lsp', '--verbose']);
  assert.equal(world.clients[1].starts, 1);

  await extension.deactivate();
  assert.equal(world.clients[1].stops, 1);
});

test('the restart command stops the server and starts it again', async (t) => {
  const { server } = makeServer(t);
  world = freshWorld({ 'server.path': server });
  const extension = loadExtension();
  await extension.activate(context());
  await world.commands.get('clearance.restartServer')();
  assert.equal(world.clients.length, 2);
  assert.equal(world.clients[0].stops, 1);
  assert.equal(world.clients[1].starts, 1);
  await extension.deactivate();
});

test('a server that is not installed is reported, with a way to the settings', async (t) => {
  const { dir } = makeServer(t);
  world = freshWorld({ 'server.path': path.join(dir, 'no-such-clearance') });
  world.errorChoice = 'Open Settings';
  const extension = loadExtension();
  await extension.activate(context());
  await settle();

  assert.equal(world.clients.length, 0, 'no client for a server that cannot start');
  assert.equal(world.errors.length, 1);
  assert.match(world.errors[0].message, /no-such-clearance/);
  assert.match(world.errors[0].message, /clearance\.server\.path/);
  assert.deepEqual(world.errors[0].items, ['Open Settings']);
  assert.deepEqual(world.executed, [['workbench.action.openSettings', 'clearance.server']]);
  await extension.deactivate();
});

test('a server that fails to start leaves nothing running to stop', async (t) => {
  const { server } = makeServer(t);
  world = freshWorld({ 'server.path': server });
  world.startFails = true;
  const extension = loadExtension();
  await extension.activate(context());
  assert.equal(world.clients.length, 1);
  await extension.deactivate();
  assert.equal(world.clients[0].stops, 0);
});

test.after(() => {
  Module._load = originalLoad;
});
