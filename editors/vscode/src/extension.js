// @ts-check
'use strict';

// The Clearance extension: `.policy` files get the TextMate grammar from package.json, and
// this client starts `clearance lsp` (a standard LSP server on stdin/stdout) for them.

const os = require('os');
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');
const { serverExecutable, findExecutable } = require('./server-command');

const LANGUAGE_ID = 'clearance';
const CLIENT_NAME = 'Clearance Language Server';

/** @type {LanguageClient | undefined} */
let client;

/** Restarts run one after another, never two at once. */
let pending = Promise.resolve();

/**
 * @param {vscode.ExtensionContext} context
 */
function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand('clearance.restartServer', () => restart()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('clearance.server')) {
        restart();
      }
    }),
  );
  return restart();
}

function deactivate() {
  return restart(false);
}

/**
 * Stops the running client, if any, then starts a new one unless `startAgain` is false.
 *
 * @param {boolean} [startAgain]
 * @returns {Promise<void>}
 */
function restart(startAgain = true) {
  pending = pending.then(async () => {
    await stop();
    if (startAgain) {
      await start();
    }
  });
  return pending;
}

async function stop() {
  const running = client;
  client = undefined;
  if (running === undefined) {
    return;
  }
  try {
    await running.stop();
  } catch (error) {
    // A client whose server never started cannot be stopped; nothing is left to clean up.
  }
}

async function start() {
  const executable = configuredExecutable();
  if (findExecutable(executable.command, process.env, process.platform) === undefined) {
    void reportMissingServer(executable.command);
    return;
  }
  const serverOptions = { run: executable, debug: executable };
  /** @type {import('vscode-languageclient/node').LanguageClientOptions} */
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: LANGUAGE_ID },
      { scheme: 'untitled', language: LANGUAGE_ID },
    ],
  };
  const created = new LanguageClient(LANGUAGE_ID, CLIENT_NAME, serverOptions, clientOptions);
  client = created;
  try {
    await created.start();
  } catch (error) {
    // The client has already shown the error and written it to its output channel.
    if (client === created) {
      client = undefined;
    }
  }
}

function configuredExecutable() {
  const config = vscode.workspace.getConfiguration('clearance');
  const folders = vscode.workspace.workspaceFolders || [];
  const local = folders.find((folder) => folder.uri.scheme === 'file');
  return serverExecutable(
    { path: config.get('server.path'), extraArgs: config.get('server.extraArgs') },
    { workspaceFolder: local ? local.uri.fsPath : undefined, home: os.homedir() },
  );
}

/**
 * @param {string} command
 */
async function reportMissingServer(command) {
  const open = 'Open Settings';
  const choice = await vscode.window.showErrorMessage(
    `Clearance: the language server \`${command}\` was not found. ` +
      'Install clearance or set `clearance.server.path` to the clearance binary.',
    open,
  );
  if (choice === open) {
    await vscode.commands.executeCommand('workbench.action.openSettings', 'clearance.server');
  }
}

module.exports = { activate, deactivate };
