'use strict';
// Calls the demo services through meshgate, as a user's client would: the target is the gateway's
// address, the :authority is grpc.example.com (the host the Gateway and VirtualService serve).
//
//   node client.js --target 127.0.0.1:8080                              (h2c, gateway port 80)
//   node client.js --target 127.0.0.1:8443 --ca /tmp/meshgate-demo.X/ca.crt   (TLS, port 443)
//   node client.js --target ... --call GetUser --id 7
const fs = require('node:fs');
const {grpc, mypackage, health} = require('./protos');

const usage = `usage: client.js --target HOST:PORT [--ca CA.crt] [--authority HOST]
                 [--call SayHello|GetUser|GetOrder|Check|all] [--name NAME] [--id ID]`;

function parseArgs(argv) {
  const args = {authority: 'grpc.example.com', call: 'SayHello', name: 'World', id: '7'};
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!['target', 'ca', 'authority', 'call', 'name', 'id'].includes(key) ||
        argv[i + 1] === undefined) {
      console.error(usage);
      process.exit(2);
    }
    args[key] = argv[i + 1];
  }
  if (!args.target) {
    console.error(usage);
    process.exit(2);
  }
  return args;
}

const args = parseArgs(process.argv.slice(2));
const credentials = args.ca ? grpc.credentials.createSsl(fs.readFileSync(args.ca))
                            : grpc.credentials.createInsecure();
const options = {'grpc.default_authority': args.authority};
if (args.ca) options['grpc.ssl_target_name_override'] = args.authority;

const calls = {
  SayHello: [mypackage.Greeter, 'SayHello', {name: args.name}],
  GetUser: [mypackage.UserService, 'GetUser', {id: args.id}],
  GetOrder: [mypackage.OrderService, 'GetOrder', {id: args.id}],
  Check: [health.Health, 'Check', {service: ''}],
};

function call(name) {
  const [Service, method, request] = calls[name];
  const client = new Service(args.target, credentials, options);
  const deadline = new Date(Date.now() + 5000);
  return new Promise((resolve) => {
    client[method](request, {deadline}, (err, reply) => {
      client.close();
      const path = Service.service[method].path;
      if (err) {
        console.log(`${path} -> ${grpc.status[err.code]}: ${err.details}`);
        resolve(false);
      } else {
        console.log(`${path} -> ${JSON.stringify(reply)}`);
        resolve(true);
      }
    });
  });
}

(async () => {
  const names = args.call === 'all' ? Object.keys(calls) : [args.call];
  if (!names.every((n) => n in calls)) {
    console.error(usage);
    process.exit(2);
  }
  let ok = true;
  for (const name of names) ok = (await call(name)) && ok;
  process.exit(ok ? 0 : 1);
})();
