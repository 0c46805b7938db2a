import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { Style } from '../../../shared/generate-library.ts';
import { LibraryError } from './library-error.ts';

/**
 * Forge / A1111's styles.csv: a header `name,prompt,negative_prompt`, UTF-8 with a BOM,
 * CRLF rows, fields quoted only when they must be (Python's csv.DictWriter). Reading
 * also takes files without the BOM, older ones whose prompt column is called `text`,
 * and skips rows without a name, as Forge does.
 */

const MAX_STYLES = 10_000;
const BOM = '\uFEFF';

export interface CsvStyle {
  name: string;
  prompt: string;
  negative_prompt: string;
}

export function parseStylesCsv(text: string): CsvStyle[] {
  let rows: Array<Record<string, string>>;
  try {
    rows = parse(text.startsWith(BOM) ? text.slice(1) : text, {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      skip_empty_lines: true,
      relax_column_count: true,
      ltrim: true,
    });
  } catch (error) {
    throw new LibraryError(400, 'invalid_csv', `That is not a styles.csv Forge could read: ${(error as Error).message}`);
  }
  if (rows.length > MAX_STYLES) throw new LibraryError(413, 'too_many_styles', `The file has ${rows.length} styles; at most ${MAX_STYLES} are imported at once.`);
  const first = rows[0];
  if (first && !('name' in first)) throw new LibraryError(400, 'invalid_csv', 'The file has no "name" column; a styles.csv starts with the header name,prompt,negative_prompt.');
  const styles: CsvStyle[] = [];
  for (const row of rows) {
    const name = (row.name ?? '').trim();
    if (!name) continue;
    styles.push({ name, prompt: row.prompt ?? row.text ?? '', negative_prompt: row.negative_prompt ?? '' });
  }
  return styles;
}

export function stylesCsv(styles: Array<Pick<Style, 'name' | 'prompt' | 'negative_prompt'>>): string {
  return BOM + stringify(styles.map((s) => [s.name, s.prompt, s.negative_prompt]), {
    header: true,
    columns: ['name', 'prompt', 'negative_prompt'],
    record_delimiter: '\r\n',
    // Python's writer also quotes a field holding any line break, not just the row delimiter.
    quoted_match: /[\r\n]/,
  });
}
