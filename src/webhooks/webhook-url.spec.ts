import { describe, expect, it } from '@jest/globals';
import { guardedLookup, isBlockedAddress, webhookUrlProblem } from './webhook-url.js';

const prod = { allowPrivate: false };
const dev = { allowPrivate: true };

describe('isBlockedAddress', () => {
  it.each([
    '127.0.0.1',
    '127.1.2.3',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    'fc00::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '64:ff9b::a9fe:a9fe',
    '2001:db8::1',
    'not-an-ip',
  ])('blocks %s', (ip) => {
    expect(isBlockedAddress(ip)).toBe(true);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '192.169.0.1', '2a00:1450:4001:80b::200e', '::ffff:8.8.8.8'])(
    'allows the public address %s',
    (ip) => {
      expect(isBlockedAddress(ip)).toBe(false);
    },
  );
});

describe('webhookUrlProblem in production', () => {
  it('accepts a public https URL', () => {
    expect(webhookUrlProblem('https://bank.example/hooks?x=1', prod)).toBeNull();
    expect(webhookUrlProblem('https://8.8.8.8/hooks', prod)).toBeNull();
  });

  it.each([
    ['http://bank.example/hooks', 'url must use https'],
    ['https://127.0.0.1/hooks', 'url must not point at a loopback, private, link-local or reserved address'],
    ['https://[::1]/hooks', 'url must not point at a loopback, private, link-local or reserved address'],
    [
      'https://169.254.169.254/latest/meta-data',
      'url must not point at a loopback, private, link-local or reserved address',
    ],
    ['https://10.1.2.3/', 'url must not point at a loopback, private, link-local or reserved address'],
    ['https://localhost/hooks', 'url must not point at a loopback, private, link-local or reserved address'],
    [
      'https://api.localhost/hooks',
      'url must not point at a loopback, private, link-local or reserved address',
    ],
    [
      'https://metadata.google.internal/',
      'url must not point at a loopback, private, link-local or reserved address',
    ],
    ['https://intranet/hooks', 'url must name a public host (a fully qualified domain name)'],
    ['https://u:p@bank.example/', 'url must not contain credentials'],
    ['ftp://bank.example/', 'url must use https'],
    ['bank.example/hooks', 'url must be an absolute URL'],
    ['', 'url is required'],
    [`https://bank.example/${'a'.repeat(2000)}`, 'url must be at most 2000 characters'],
  ])('refuses %s', (url, problem) => {
    expect(webhookUrlProblem(url, prod)).toBe(problem);
  });
});

describe('webhookUrlProblem outside production', () => {
  it('accepts http and loopback receivers', () => {
    expect(webhookUrlProblem('http://127.0.0.1:4000/hooks', dev)).toBeNull();
    expect(webhookUrlProblem('http://localhost:4000/hooks', dev)).toBeNull();
  });

  it('still refuses other schemes, credentials and fragments', () => {
    expect(webhookUrlProblem('file:///etc/passwd', dev)).toBe('url must use https');
    expect(webhookUrlProblem('http://u:p@localhost/', dev)).toBe('url must not contain credentials');
    expect(webhookUrlProblem('http://localhost/#x', dev)).toBe('url must not have a fragment');
  });
});

describe('guardedLookup', () => {
  it('refuses a name that resolves to a loopback address', async () => {
    const err = await new Promise<Error | null>((resolve) =>
      guardedLookup('localhost', {}, (e) => resolve(e)),
    );
    expect(err?.message).toMatch(
      /^refused: localhost resolves to .*, a loopback, private or reserved address$/,
    );
  });
});
