// Verifies every request with the Standard Webhooks reference implementation, once per secret given, and answers
// 200 with one line saying which secrets verify it, e.g. "0=ok 1=fail".
const http = require('http');
const { Webhook } = require('standardwebhooks');

const port = Number(process.argv[2]);
const verifiers = process.argv.slice(3).map(secret => new Webhook(secret));

http.createServer((request, response) => {
  const chunks = [];
  request.on('data', chunk => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const results = verifiers.map((verifier, i) => {
      try {
        verifier.verify(body, request.headers);
        return `${i}=ok`;
      } catch (e) {
        return `${i}=fail`;
      }
    });
    response.statusCode = 200;
    response.setHeader('Content-Type', 'text/plain');
    response.end(results.join(' '));
  });
}).listen(port, '127.0.0.1', () => console.log('listening'));
