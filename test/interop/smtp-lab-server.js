// Runs inside the lab's server namespace (see mta-sts-lab.ts): one npm smtp-server per MX address, with or
// without STARTTLS, and a UDP "DNS server" that reads queries and never answers (for resolver timeouts).
// Plain JavaScript so that `node` runs it without a compiler. Config: a JSON file named by argv[2].
'use strict';
const dgram = require('node:dgram');
const fs = require('node:fs');
const { SMTPServer } = require('smtp-server');

const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));

const silent = dgram.createSocket('udp4');
silent.on('message', () => undefined);
silent.bind(53, config.silentDns);

for (const server of config.servers) {
  const smtp = new SMTPServer({
    secure: false,
    name: 'lab-mx',
    key: fs.readFileSync(server.key),
    cert: fs.readFileSync(server.cert),
    hideSTARTTLS: server.smtp === 'plain',
    disabledCommands: ['AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => callback());
    },
  });
  smtp.on('error', (error) => process.stderr.write(`smtp ${server.ip}: ${error.message}\n`));
  smtp.listen(25, server.ip);
}

process.on('SIGTERM', () => process.exit(0));
