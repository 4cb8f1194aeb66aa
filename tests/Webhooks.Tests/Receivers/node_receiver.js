// A receiver on Node's http module, answering 204; the second argument is its keep-alive timeout in milliseconds
// (Node's default is 5000), after which it closes an idle connection.
const http = require('http');

const port = Number(process.argv[2]);
const server = http.createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    response.statusCode = 204;
    response.end();
  });
});
server.keepAliveTimeout = Number(process.argv[3] || 5000);
server.listen(port, '127.0.0.1', () => console.log('listening'));
