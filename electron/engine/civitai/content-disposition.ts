/**
 * The file name from `Content-Disposition: attachment; filename="…"` or RFC 5987
 * `filename*=UTF-8''…` (preferred when both are present), URL-decoded and sanitised.
 */
export function filenameFromContentDisposition(header: string | null | undefined): string | null {
  if (!header) return null;
  const star = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header);
  if (star) {
    try {
      const name = sanitizeFileName(decodeURIComponent(star[2].trim().replace(/^"|"$/g, '')));
      if (name) return name;
    } catch {
      // fall through to the plain parameter
    }
  }
  const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))/i.exec(header);
  if (!plain) return null;
  let value = plain[1] !== undefined ? plain[1].replace(/\\(.)/g, '$1') : plain[2].trim();
  if (/%[0-9a-f]{2}/i.test(value)) {
    try { value = decodeURIComponent(value); } catch { /* keep as is */ }
  }
  return sanitizeFileName(value);
}

const RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i;

/**
 * A name safe on Windows, macOS and Linux: no path parts, no control or reserved
 * characters, no leading dots, at most 200 characters (extension kept).
 */
export function sanitizeFileName(name: string): string | null {
  let base = name.split(/[\\/]/).pop() ?? '';
  base = base.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_').replace(/^[.\s]+/, '').replace(/[.\s]+$/, '');
  if (!base || RESERVED.test(base)) return null;
  if (base.length > 200) {
    const dot = base.lastIndexOf('.');
    const ext = dot > 0 && base.length - dot <= 16 ? base.slice(dot) : '';
    base = base.slice(0, 200 - ext.length) + ext;
  }
  return base;
}
