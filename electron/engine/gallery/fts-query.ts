/**
 * A search box's text as an FTS5 query: every word must appear (prefix with a trailing
 * `*`), `"a phrase"` must appear as written. Each word is quoted, so FTS5's own syntax
 * (AND, NEAR, column filters, stray quotes or brackets) in the text is matched as words,
 * never parsed. Null when nothing searchable is left.
 */
export function ftsQuery(text: string): string | null {
  const parts: string[] = [];
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const phrases = /"([^"]*)"|(\S+)/g;
  for (const match of text.matchAll(phrases)) {
    if (match[1] !== undefined) {
      if (/[\p{L}\p{N}]/u.test(match[1])) parts.push(quote(match[1].trim()));
      continue;
    }
    const word = match[2];
    const prefix = word.endsWith('*');
    const bare = word.replace(/\*+$/, '').replace(/"/g, '');
    if (!/[\p{L}\p{N}]/u.test(bare)) continue;
    parts.push(prefix ? `${quote(bare)}*` : quote(bare));
  }
  return parts.length ? parts.join(' AND ') : null;
}
