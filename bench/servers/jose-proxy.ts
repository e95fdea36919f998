/**
 * Baseline: the bare proxy plus a plain `jose.jwtVerify` (RS256) of the bearer token against the
 * issuer's JWKS, fetched once. argv: upstream origin, issuer, JWKS URL.
 */
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { createProxyServer, listenAndAnnounce } from './proxy-core.js';

const [upstream, issuer, jwksUrl] = process.argv.slice(2);
const jwks = createLocalJWKSet((await (await fetch(jwksUrl)).json()) as JSONWebKeySet);

listenAndAnnounce(
  createProxyServer(upstream, async (req) => {
    const auth = req.headers.authorization;
    if (!auth?.startsWith('Bearer ')) return false;
    await jwtVerify(auth.slice(7), jwks, { issuer, algorithms: ['RS256'] });
    return true;
  }),
);
