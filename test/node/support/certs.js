'use strict';
// Per-run certificates made with the openssl CLI: a CA and a server certificate for
// grpc.example.com and 127.0.0.1 that it signs. Nothing here is committed.
const {execFileSync} = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

function openssl(args, cwd) {
  execFileSync('openssl', args, {cwd, stdio: ['ignore', 'ignore', 'pipe']});
}

function makeCerts(dir) {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-days', '2', '-subj', '/CN=meshgate test CA',
           '-addext', 'basicConstraints=critical,CA:TRUE',
           '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
           '-keyout', 'ca.key', '-out', 'ca.crt'], dir);
  openssl(['req', ...ec, '-subj', '/CN=grpc.example.com', '-keyout', 'server.key',
           '-out', 'server.csr'], dir);
  fs.writeFileSync(path.join(dir, 'server.ext'), [
    'subjectAltName=DNS:grpc.example.com,IP:127.0.0.1',
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    '',
  ].join('\n'));
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key',
           '-CAcreateserial', '-days', '2', '-extfile', 'server.ext', '-out', 'server.crt'], dir);
  const read = (name) => fs.readFileSync(path.join(dir, name));
  return {ca: read('ca.crt'), cert: read('server.crt'), key: read('server.key')};
}

module.exports = {makeCerts};
