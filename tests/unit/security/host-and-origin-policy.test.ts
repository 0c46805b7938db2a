import { describe, expect, it } from 'vitest';
import { classifyClientAddress, classifyRequestClient } from '../../../electron/engine/security/client-address.ts';
import { createHostPolicy, parseHostHeader } from '../../../electron/engine/security/host-policy.ts';
import {
  isSameOrigin, isSameOriginFetch, normalizeCorsOrigins, readOrigin,
} from '../../../electron/engine/security/origin-policy.ts';

describe('Host allow-list', () => {
  it('desktop / loopback bind: localhost names and loopback literals only', () => {
    const allowed = createHostPolicy({ bindHost: '127.0.0.1', allowedHosts: [], interfaceAddresses: () => ['192.168.1.5'] });
    for (const host of ['localhost:3000', '127.0.0.1:3000', '[::1]:3000', 'localhost', 'LOCALHOST:1', '127.0.0.2:3000', 'localhost.:3000']) {
      expect(allowed(host), host).toBe(true);
    }
    for (const host of [undefined, '', 'evil.example', 'evil.example:3000', 'localhost.evil.example', '192.168.1.5:3000', '10.0.0.1:3000',
      'evil.example@127.0.0.1', '127.0.0.1/x', '127.0.0.1:3000 evil', 'localhost:99999999', '[::1', 'user@localhost']) {
      expect(allowed(host), String(host)).toBe(false);
    }
  });

  it('specific bind host and STABLEQUEUE_ALLOWED_HOSTS (with or without port)', () => {
    const allowed = createHostPolicy({ bindHost: '192.168.1.5', allowedHosts: ['nas.local', 'sq.example.org:8443', 'bad host'], interfaceAddresses: () => [] });
    expect(allowed('192.168.1.5:3000')).toBe(true);
    expect(allowed('nas.local')).toBe(true);
    expect(allowed('nas.local:3000')).toBe(true);
    expect(allowed('sq.example.org:8443')).toBe(true);
    expect(allowed('sq.example.org')).toBe(false);
    expect(allowed('192.168.1.6:3000')).toBe(false);
  });

  it('HOST=0.0.0.0: also own interface addresses and private-range IP literals, never other names', () => {
    const allowed = createHostPolicy({ bindHost: '0.0.0.0', allowedHosts: [], interfaceAddresses: () => ['203.0.113.7', 'fe80::1%eth0'] });
    for (const host of ['192.168.1.20:3000', '10.1.2.3:8080', '172.20.0.2:3000', '100.101.102.103:3000', '[fd00::1]:3000', '203.0.113.7:3000', 'localhost:3000']) {
      expect(allowed(host), host).toBe(true);
    }
    for (const host of ['198.51.100.1:3000', 'evil.example', 'nas.local:3000', '[2001:db8::1]:3000']) {
      expect(allowed(host), host).toBe(false);
    }
  });

  it('parses Host headers strictly', () => {
    expect(parseHostHeader('[::1]:3000')).toEqual({ hostname: '[::1]', port: '3000' });
    expect(parseHostHeader('Example.COM')).toEqual({ hostname: 'example.com', port: null });
    expect(parseHostHeader('a b')).toBeNull();
  });
});

describe('Origin checks', () => {
  it('reads Origin values, including null and extension origins', () => {
    expect(readOrigin(undefined)).toEqual({ kind: 'absent' });
    expect(readOrigin('null')).toEqual({ kind: 'null' });
    expect(readOrigin('not a url')).toEqual({ kind: 'invalid' });
    expect(readOrigin(['a', 'b'])).toEqual({ kind: 'invalid' });
    expect(readOrigin('chrome-extension://abcdefghijklmnop')).toMatchObject({ kind: 'url', origin: 'chrome-extension://abcdefghijklmnop' });
    expect(readOrigin('HTTP://LocalHost:5173')).toMatchObject({ kind: 'url', origin: 'http://localhost:5173', host: 'localhost:5173' });
  });

  it('same origin means the same host:port as the Host the request was sent to', () => {
    expect(isSameOrigin(readOrigin('http://127.0.0.1:3000'), '127.0.0.1:3000')).toBe(true);
    expect(isSameOrigin(readOrigin('https://sq.example.org'), 'sq.example.org')).toBe(true);
    expect(isSameOrigin(readOrigin('http://localhost'), 'localhost:80')).toBe(true);
    expect(isSameOrigin(readOrigin('http://127.0.0.1:3001'), '127.0.0.1:3000')).toBe(false);
    expect(isSameOrigin(readOrigin('http://localhost:3000'), '127.0.0.1:3000')).toBe(false);
    expect(isSameOrigin(readOrigin('https://evil.example'), '127.0.0.1:3000')).toBe(false);
    expect(isSameOrigin(readOrigin('null'), '127.0.0.1:3000')).toBe(false);
    expect(isSameOrigin(readOrigin('chrome-extension://127.0.0.1:3000'), '127.0.0.1:3000')).toBe(false);
  });

  it('CORS origins are exact: * and null are dropped', () => {
    const { origins, rejected } = normalizeCorsOrigins(['*', 'null', 'https://*.example.org', 'chrome-extension://abc/', ' http://192.168.1.20:7860 ', '']);
    expect([...origins].sort()).toEqual(['chrome-extension://abc', 'http://192.168.1.20:7860']);
    expect(rejected).toEqual(['*', 'null', 'https://*.example.org']);
  });

  it('Sec-Fetch-Site: same-origin and none (typed URL) are the UI; absent is a non-browser client', () => {
    expect(isSameOriginFetch(undefined)).toBe(true);
    expect(isSameOriginFetch('same-origin')).toBe(true);
    expect(isSameOriginFetch('none')).toBe(true);
    expect(isSameOriginFetch('same-site')).toBe(false);
    expect(isSameOriginFetch('cross-site')).toBe(false);
  });
});

describe('client address classes', () => {
  it('loopback, private (LAN, link-local, ULA, CGNAT) and public', () => {
    expect(classifyClientAddress('127.0.0.1')).toBe('loopback');
    expect(classifyClientAddress('::ffff:127.0.0.1')).toBe('loopback');
    expect(classifyClientAddress('::1')).toBe('loopback');
    for (const ip of ['10.0.0.5', '172.16.0.1', '172.31.255.255', '192.168.178.20', '::ffff:192.168.0.2', '169.254.10.10', '100.64.0.1', 'fd12:3456::1', 'fe80::1']) {
      expect(classifyClientAddress(ip), ip).toBe('private');
    }
    for (const ip of ['8.8.8.8', '172.32.0.1', '100.128.0.1', '2001:4860::8888', '::ffff:8.8.8.8', undefined, 'garbage']) {
      expect(classifyClientAddress(ip), String(ip)).toBe('public');
    }
  });

  it('a request relayed by a proxy counts as public whatever the socket says', () => {
    expect(classifyRequestClient('127.0.0.1', {})).toBe('loopback');
    expect(classifyRequestClient('127.0.0.1', { 'x-forwarded-for': '192.168.1.2' })).toBe('public');
    expect(classifyRequestClient('192.168.1.2', { forwarded: 'for=1.2.3.4' })).toBe('public');
  });
});
