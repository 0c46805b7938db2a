import axios from 'axios';
import http from 'node:http';
import https from 'node:https';
import { guardedLookup } from '../net/guarded-lookup.ts';

/**
 * The one HTTP client for everything StableQueue sends out to tell people (webhooks,
 * callback URLs, push services). Its agents resolve names through the same guard as
 * backend connections, so a name that later resolves to a link-local or metadata address
 * is refused at connect time; redirects are not followed (a 3xx could point anywhere).
 */
const httpAgent = new http.Agent({ keepAlive: false, lookup: guardedLookup });
const httpsAgent = new https.Agent({ keepAlive: false, lookup: guardedLookup });

/** How long one try may take before it counts as failed. */
export const OUTBOUND_TIMEOUT_MS = 10_000;

export interface OutboundRequest {
  url: string;
  method?: 'POST' | 'PUT';
  headers: Record<string, string>;
  body: string | Buffer | FormData;
}

/** What a try got: the status code, or the network error when there was no answer. */
export interface OutboundResult {
  statusCode: number | null;
  error: string | null;
}

export type OutboundSend = (request: OutboundRequest) => Promise<OutboundResult>;

export const sendOutbound: OutboundSend = async (request) => {
  try {
    const response = await axios.request({
      url: request.url, method: request.method ?? 'POST', headers: { 'User-Agent': 'StableQueue', ...request.headers }, data: request.body,
      httpAgent, httpsAgent, proxy: false, maxRedirects: 0, timeout: OUTBOUND_TIMEOUT_MS, validateStatus: () => true,
      responseType: 'text', transformResponse: [(data: unknown) => data], maxContentLength: 1024 * 1024,
    });
    const ok = response.status >= 200 && response.status < 300;
    return { statusCode: response.status, error: ok ? null : `HTTP ${response.status}` };
  } catch (error) {
    const code = (error as { code?: string }).code;
    return { statusCode: null, error: code ? `${code}: ${(error as Error).message}` : (error as Error).message };
  }
};
