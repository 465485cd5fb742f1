// @ts-check
'use strict';

// How the extension finds and starts the language server: no `vscode` import here,
// so that this logic is tested with plain Node.

const fs = require('fs');
const path = require('path');

const DEFAULT_SERVER = 'clearance';

/**
 * @typedef {object} ServerSettings
 * @property {unknown} [path]       the `clearance.server.path` setting
 * @property {unknown} [extraArgs]  the `clearance.server.extraArgs` setting
 *
 * @typedef {object} Context
 * @property {string} [workspaceFolder]  the first workspace folder, for relative paths
 * @property {string} [home]             the user's home directory, for `~`
 *
 * @typedef {object} Executable
 * @property {string} command
 * @property {string[]} args
 */

/**
 * The command that runs the server: `<clearance.server.path> lsp <clearance.server.extraArgs...>`.
 *
 * No `transport` is given on purpose: for an executable, vscode-languageclient then talks
 * over the child's stdin/stdout without adding a `--stdio` argument that `clearance lsp`
 * does not take.
 *
 * @param {ServerSettings} settings
 * @param {Context} context
 * @returns {Executable}
 */
function serverExecutable(settings, context) {
  return {
    command: resolveServerPath(settings.path, context),
    args: ['lsp', ...extraArgs(settings.extraArgs)],
  };
}

/**
 * The server path from the setting: blank means `clearance` (found on PATH); `~` is the home
 * directory; `${workspaceFolder}` and a relative path containing a separator are taken from
 * the first workspace folder.
 *
 * @param {unknown} setting
 * @param {Context} context
 * @returns {string}
 */
function resolveServerPath(setting, context) {
  let value = typeof setting === 'string' ? setting.trim() : '';
  if (value === '') {
    return DEFAULT_SERVER;
  }
  if (context.workspaceFolder !== undefined) {
    value = value.split('${workspaceFolder}').join(context.workspaceFolder);
  }
  if (context.home !== undefined && (value === '~' || value.startsWith('~/') || value.startsWith('~\\'))) {
    value = path.join(context.home, value.slice(1));
  }
  const hasSeparator = value.includes('/') || value.includes('\\');
  if (hasSeparator && !path.isAbsolute(value) && context.workspaceFolder !== undefined) {
    value = path.resolve(context.workspaceFolder, value);
  }
  return value;
}

/**
 * The extra arguments: the strings of the setting, in order; anything else is ignored.
 *
 * @param {unknown} setting
 * @returns {string[]}
 */
function extraArgs(setting) {
  if (!Array.isArray(setting)) {
    return [];
  }
  return setting.filter((arg) => typeof arg === 'string');
}

/**
 * Where `command` would be found: itself when it names a file (a path), else the first match
 * on PATH (with PATHEXT on Windows). `undefined` when there is none.
 *
 * @param {string} command
 * @param {NodeJS.ProcessEnv} env
 * @param {NodeJS.Platform} platform
 * @returns {string | undefined}
 */
function findExecutable(command, env, platform) {
  const windows = platform === 'win32';
  const extensions = windows
    ? ['', ...(env.PATHEXT || '.COM;.EXE;.BAT;.CMD').split(';').filter((e) => e !== '')]
    : [''];
  const candidates = [];
  if (command.includes('/') || (windows && command.includes('\\'))) {
    candidates.push(command);
  } else {
    const dirs = (env.PATH || env.Path || '').split(windows ? ';' : ':').filter((d) => d !== '');
    for (const dir of dirs) {
      candidates.push(path.join(dir, command));
    }
  }
  for (const candidate of candidates) {
    for (const ext of extensions) {
      const file = candidate + ext;
      if (isExecutableFile(file, windows)) {
        return file;
      }
    }
  }
  return undefined;
}

/**
 * @param {string} file
 * @param {boolean} windows
 */
function isExecutableFile(file, windows) {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    if (!windows) {
      fs.accessSync(file, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}

module.exports = { DEFAULT_SERVER, serverExecutable, resolveServerPath, extraArgs, findExecutable };
