/** Baseline: node:http + undici proxy, no authentication at all. argv[2] = upstream origin. */
import { createProxyServer, listenAndAnnounce } from './proxy-core.js';

listenAndAnnounce(createProxyServer(process.argv[2]));
