'use strict';
// A demo gRPC backend: serves mypackage.Greeter, UserService, OrderService and grpc.health.v1.Health
// on 127.0.0.1:<port> and puts its own name in every answer, so the gateway's routing is visible.
//
//   node server.js --name user-grpc-service --port 50052
const {grpc, mypackage, health} = require('./protos');

function parseArgs(argv) {
  const args = {name: 'grpc-service', port: 50051, host: '127.0.0.1'};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--name') args.name = value;
    else if (flag === '--port') args.port = Number(value);
    else if (flag === '--host') args.host = value;
    else {
      console.error(`usage: server.js [--name NAME] [--port PORT] [--host HOST]`);
      process.exit(2);
    }
    i++;
  }
  return args;
}

const args = parseArgs(process.argv.slice(2));
const servedBy = args.name;

function logCall(call) {
  console.error(`[${servedBy}] ${call.getPath()} (authority ${call.getHost()})`);
}

const server = new grpc.Server();
server.addService(mypackage.Greeter.service, {
  SayHello(call, callback) {
    logCall(call);
    const name = call.request.name || 'World';
    callback(null, {message: `Hello, ${name}!`, served_by: servedBy});
  },
});
server.addService(mypackage.UserService.service, {
  GetUser(call, callback) {
    logCall(call);
    const id = call.request.id;
    if (!id) {
      callback({code: grpc.status.INVALID_ARGUMENT, details: 'id is required'});
      return;
    }
    callback(null, {id, name: `user ${id}`, served_by: servedBy});
  },
});
server.addService(mypackage.OrderService.service, {
  GetOrder(call, callback) {
    logCall(call);
    const id = call.request.id;
    if (!id) {
      callback({code: grpc.status.INVALID_ARGUMENT, details: 'id is required'});
      return;
    }
    callback(null, {id, user_id: '42', total_cents: '1999', served_by: servedBy});
  },
});
server.addService(health.Health.service, {
  Check(call, callback) {
    logCall(call);
    callback(null, {status: 'SERVING'});
  },
});

server.bindAsync(`${args.host}:${args.port}`, grpc.ServerCredentials.createInsecure(),
                 (err, port) => {
                   if (err) {
                     console.error(`[${servedBy}] cannot listen on ${args.host}:${args.port}: ${err.message}`);
                     process.exit(1);
                   }
                   console.log(`${servedBy} listening on ${args.host}:${port}`);
                 });

function stop() {
  server.tryShutdown(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
