// Just enough multipart/form-data parsing for POST /upload/image.

export interface MultipartField {
  name: string;
  /** Set for file parts. */
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/** Parse a multipart body; returns null when the content type has no boundary. */
export function parseMultipart(contentType: string | undefined, body: Buffer): Map<string, MultipartField> | null {
  const match = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
  if (!match || !/^multipart\/form-data/i.test(contentType ?? '')) return null;
  const delimiter = Buffer.from(`--${match[1] ?? match[2]}`);
  const fields = new Map<string, MultipartField>();
  let pos = body.indexOf(delimiter);
  while (pos >= 0) {
    let start = pos + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    if (body.subarray(start, start + 2).toString() === '\r\n') start += 2;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    // The part ends with CRLF before the next delimiter.
    const part = body.subarray(start, next - 2 >= start ? next - 2 : next);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd >= 0) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      const data = part.subarray(headerEnd + 4);
      const disposition = /content-disposition:([^\r\n]*)/i.exec(headers)?.[1] ?? '';
      const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
      const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
      const type = /content-type:\s*([^\r\n]*)/i.exec(headers)?.[1];
      if (name !== undefined && !fields.has(name)) fields.set(name, { name, filename, contentType: type, data: Buffer.from(data) });
    }
    pos = next;
  }
  return fields;
}
