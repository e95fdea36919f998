/** Worker thread: signs `count` RS256 tokens (distinct jti) so the main thread's prep halves. */
import { createPrivateKey, randomBytes, sign } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';

const { pem, header, claims, count } = workerData as {
  pem: string;
  header: string;
  claims: Record<string, unknown>;
  count: number;
};
const key = createPrivateKey(pem);
const out: string[] = [];
for (let i = 0; i < count; i++) {
  const payload = Buffer.from(
    JSON.stringify({ ...claims, jti: randomBytes(12).toString('base64url') }),
  ).toString('base64url');
  const input = `${header}.${payload}`;
  out.push(`${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`);
}
parentPort!.postMessage(out);
