import type { Readable } from 'node:stream';
import { redactText } from './redact-text.ts';

export interface DiagnosticsEntry {
  name: string;
  /** Any JSON value (written pretty-printed) or text. */
  content: unknown;
}

/**
 * The bug-report bundle as one streamed zip. Every entry goes through the redactor with
 * the known secret values (raw and as they look inside JSON strings), so no file in it
 * can carry a password or token, whatever a log line or a field happened to hold.
 */
export async function diagnosticsZip(entries: DiagnosticsEntry[], knownSecrets: readonly string[]): Promise<Readable> {
  // Loaded on first use: the zip library is only needed when someone asks for a bundle.
  const { ZipArchive } = await import('archiver');
  const variants = knownSecrets.flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]);
  const zip = new ZipArchive({ zlib: { level: 6 } });
  for (const entry of entries) {
    const text = typeof entry.content === 'string' ? entry.content : `${JSON.stringify(entry.content, null, 2)}\n`;
    zip.append(redactText(text, variants), { name: entry.name });
  }
  void zip.finalize();
  return zip;
}
