/**
 * Refuses a response that is not a model file, before a byte is written: an error body
 * must never be saved as the model. A JSON, HTML, XML or plain-text content type is
 * an error page; so is a body that starts like one. A safetensors file must start with a
 * sane 8-byte header length and `{`.
 */
export type GuardVerdict = { ok: true } | { ok: false; reason: string; kind: 'json' | 'html' | 'text' | 'not_safetensors' };

const ERROR_TYPES = /^(application\/(json|problem\+json|xml|xhtml\+xml)|text\/)/i;
const HTML_START = /^\s*(<!doctype|<html|<head|<body|<\?xml|<error|<!--)/i;
const JSON_START = /^\s*(\{\s*("|\})|\[\s*(\{|"|\]|-?\d|true|false|null))/;

/** How many bytes `inspectBody` wants before it decides. */
export const GUARD_PREFIX_BYTES = 64;

export function inspectContentType(contentType: string | undefined | null): GuardVerdict {
  const type = (contentType ?? '').split(';')[0].trim();
  if (ERROR_TYPES.test(type)) {
    const kind = /json/i.test(type) ? 'json' : /html|xml/i.test(type) ? 'html' : 'text';
    return { ok: false, kind, reason: `the server answered with ${type} instead of a model file` };
  }
  return { ok: true };
}

/**
 * `prefix`: the first bytes of the body; `offset`: where in the file they go (a resumed
 * response is checked for error pages only); `expectSafetensors` and `totalSize` add the
 * header check for a body that starts the file.
 */
export function inspectBody(prefix: Buffer, opts: { offset: number; expectSafetensors: boolean; totalSize: number | null }): GuardVerdict {
  const head = prefix.subarray(0, GUARD_PREFIX_BYTES).toString('latin1');
  if (HTML_START.test(head)) return { ok: false, kind: 'html', reason: 'the body is an HTML/XML page, not a model file' };
  if (opts.offset > 0) return { ok: true };
  if (opts.expectSafetensors) {
    if (prefix.length < 9) return { ok: false, kind: 'not_safetensors', reason: 'the body is too short to be a safetensors file' };
    const n = prefix.readBigUInt64LE(0);
    const limit = BigInt(Math.min(100 * 1024 * 1024, (opts.totalSize ?? Number.MAX_SAFE_INTEGER) - 8));
    if (n < 2n || n > limit || prefix[8] !== 0x7b) {
      return JSON_START.test(head)
        ? { ok: false, kind: 'json', reason: 'the body is a JSON document, not a model file' }
        : { ok: false, kind: 'not_safetensors', reason: 'the body does not start with a safetensors header' };
    }
    return { ok: true };
  }
  if (JSON_START.test(head)) return { ok: false, kind: 'json', reason: 'the body is a JSON document, not a model file' };
  return { ok: true };
}
