/**
 * `--api-auth`: FastAPI's HTTPBasic dependency plus `Api.auth`. Both raise HTTPException
 * with `WWW-Authenticate: Basic`; A1111's exception handler later drops that header.
 */
import { timingSafeEqual } from 'node:crypto';
import { HttpException } from './errors.ts';

const challenge = { 'WWW-Authenticate': 'Basic' };

export function checkBasicAuth(expected: { username: string; password: string }, header: string | undefined): void {
  const [scheme, param = ''] = (header ?? '').trim().split(/\s+(.*)/s);
  if (!header || scheme.toLowerCase() !== 'basic') throw new HttpException(401, 'Not authenticated', challenge);

  const invalid = new HttpException(401, 'Invalid authentication credentials', challenge);
  // Python's b64decode drops stray characters but insists on correct padding, then .decode("ascii")
  const cleaned = param.replace(/[^A-Za-z0-9+/=]/g, '');
  if (cleaned.length % 4 !== 0) throw invalid;
  const bytes = Buffer.from(cleaned, 'base64');
  if (bytes.some((b) => b > 0x7f)) throw invalid;
  const decoded = bytes.toString('ascii');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw invalid;

  const username = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  if (username !== expected.username || !sameText(password, expected.password)) {
    throw new HttpException(401, 'Incorrect username or password', challenge);
  }
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
