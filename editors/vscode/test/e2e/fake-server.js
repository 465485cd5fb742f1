'use strict';

// A minimal language server on stdin/stdout, standing in for `clearance lsp`: it writes its
// arguments and every message it receives, one JSON object a line, to $FAKE_LSP_LOG, and
// answers `initialize` and `shutdown`.

const fs = require('fs');

const log = process.env.FAKE_LSP_LOG;
const record = (entry) => fs.appendFileSync(log, JSON.stringify(entry) + '\n');

function send(message) {
  const body = JSON.stringify({ jsonrpc: '2.0', ...message });
  process.stdout.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

record({ argv: process.argv.slice(2) });

let buffer = Buffer.alloc(0);
process.stdin.on('data', (chunk) => {
  buffer = Buffer.concat([buffer, chunk]);
  for (;;) {
    const end = buffer.indexOf('\r\n\r\n');
    if (end < 0) {
      return;
    }
    const length = Number(/Content-Length: *(\d+)/i.exec(buffer.subarray(0, end).toString())[1]);
    if (buffer.length < end + 4 + length) {
      return;
    }
    const message = JSON.parse(buffer.subarray(end + 4, end + 4 + length).toString());
    buffer = buffer.subarray(end + 4 + length);
    record({ method: message.method, params: message.params });
    if (message.method === 'initialize') {
      send({ id: message.id, result: { capabilities: { textDocumentSync: 1 }, serverInfo: { name: 'fake' } } });
    } else if (message.method === 'shutdown') {
      send({ id: message.id, result: null });
    } else if (message.method === 'exit') {
      process.exit(0);
    }
  }
});
