/**
 * When a storage provider's signed URL stops working, read from the URL itself:
 * S3/R2/MinIO (`X-Amz-Date` + `X-Amz-Expires`), Backblaze/CloudFront style `Expires`
 * (unix seconds) and a plain `exp`. Null when the URL does not say.
 */
export function signedUrlExpiry(url: string): number | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  const q = parsed.searchParams;
  const amzDate = q.get('X-Amz-Date');
  const amzExpires = q.get('X-Amz-Expires');
  if (amzDate && amzExpires && /^\d{8}T\d{6}Z$/.test(amzDate) && /^\d+$/.test(amzExpires)) {
    const iso = `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`;
    return Date.parse(iso) + Number(amzExpires) * 1000;
  }
  for (const key of ['Expires', 'expires', 'exp']) {
    const v = q.get(key);
    if (v && /^\d{9,11}$/.test(v)) return Number(v) * 1000;
  }
  return null;
}
