'use strict';
// Runs the real meshgate binary as the contract says: `meshgate serve ...` prints
// `listening <gatewayPort> <addr>` per listener, then `ready`, on stdout; logs go to stderr;
// SIGTERM drains and exits 0; a bad config exits 2.
const {spawn} = require('node:child_process');

function binary() {
  const path = process.env.MESHGATE_BINARY;
  if (!path) {
    throw new Error('MESHGATE_BINARY is not set: run these tests through ctest, or set it to ' +
                    'the meshgate binary (e.g. build/src/app/meshgate)');
  }
  return path;
}

class Gateway {
  constructor(args) {
    this.args = args;
    this.listeners = new Map();  // gateway port -> "127.0.0.1:port"
    this.stderr = '';
    this.exited = null;  // {code, signal} once the process is gone
  }

  // Starts `meshgate serve <args>` and resolves once it printed `ready`.
  start(timeoutMs = 30000) {
    this.proc = spawn(binary(), ['serve', ...this.args], {stdio: ['ignore', 'pipe', 'pipe']});
    this.proc.stderr.setEncoding('utf8');
    this.proc.stderr.on('data', (chunk) => { this.stderr += chunk; });
    this.exit = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => {
        this.exited = {code, signal};
        resolve(this.exited);
      });
    });
    return new Promise((resolve, reject) => {
      let stdout = '';
      const fail = (why) => {
        clearTimeout(timer);
        reject(new Error(`meshgate ${why}\nargs: serve ${this.args.join(' ')}\nstdout:\n${stdout}` +
                         `\nstderr:\n${this.stderr}`));
      };
      const timer = setTimeout(() => {
        this.proc.kill('SIGKILL');
        fail(`did not print ready within ${timeoutMs} ms`);
      }, timeoutMs);
      const onEarlyExit = (code, signal) => fail(`exited (code ${code}, signal ${signal}) before ready`);
      this.proc.on('error', (err) => fail(`could not start: ${err.message}`));
      this.proc.on('exit', onEarlyExit);
      let ready = false;
      this.proc.stdout.setEncoding('utf8');
      this.proc.stdout.on('data', (chunk) => {
        stdout += chunk;
        if (ready) return;
        for (const line of stdout.split('\n').slice(0, -1)) {
          const m = /^listening (\d+) (\S+)$/.exec(line);
          if (m) this.listeners.set(Number(m[1]), m[2]);
          if (line === 'ready') {
            ready = true;
            clearTimeout(timer);
            this.proc.off('exit', onEarlyExit);
            resolve(this);
            return;
          }
        }
      });
    });
  }

  address(gatewayPort) {
    const addr = this.listeners.get(gatewayPort);
    if (!addr) throw new Error(`meshgate printed no listener for port ${gatewayPort}`);
    return addr;
  }

  // SIGTERM, then the exit status; SIGKILL after timeoutMs.
  async stop(timeoutMs = 30000) {
    if (!this.proc) return null;
    if (this.exited) return this.exited;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), timeoutMs);
    const result = await this.exit;
    clearTimeout(timer);
    return result;
  }
}

// Runs `meshgate serve <args>` expecting it to exit by itself; resolves {code, signal, stdout, stderr}.
function runToExit(args, timeoutMs = 30000) {
  return new Promise((resolve, reject) => {
    const proc = spawn(binary(), ['serve', ...args], {stdio: ['ignore', 'pipe', 'pipe']});
    let stdout = '';
    let stderr = '';
    proc.stdout.setEncoding('utf8').on('data', (c) => { stdout += c; });
    proc.stderr.setEncoding('utf8').on('data', (c) => { stderr += c; });
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`meshgate did not exit within ${timeoutMs} ms\nstderr:\n${stderr}`));
    }, timeoutMs);
    proc.on('error', (err) => { clearTimeout(timer); reject(err); });
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({code, signal, stdout, stderr});
    });
  });
}

module.exports = {Gateway, runToExit};
