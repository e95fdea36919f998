/** The upstream every line ends at: a small fixed JSON answer, request bodies drained. */
import { createServer } from 'node:http';
import { listenAndAnnounce } from './proxy-core.js';

const body = Buffer.from(JSON.stringify({ income: 512000, year: 2024, currency: 'NOK', source: 'bench' }));

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
});
listenAndAnnounce(server);
