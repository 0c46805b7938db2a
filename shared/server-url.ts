/**
 * "127.0.0.1:7860" or "gpu-box:8188/" → with "http://" in front: that is how Forge and
 * ComfyUI print their address, and without a scheme the URL parser would read
 * "127.0.0.1" as nothing and "gpu-box:" as the scheme. A URL with any scheme is left as
 * it is (the engine then refuses what is not http or https). The server form and the
 * engine complete the same way, so what the form shows is what gets stored.
 */
export function withDefaultScheme(raw: string): string {
  const trimmed = raw.trim();
  if (!trimmed || /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) return trimmed;
  return `http://${trimmed.replace(/^\/+/, '')}`;
}
