/**
 * The desktop window proves it is StableQueue's own UI with a per-launch token: this header
 * on API calls, and this query parameter on URLs the browser loads itself (images, SSE).
 */
export const LAUNCH_TOKEN_HEADER = 'X-StableQueue-Launch-Token';
export const LAUNCH_TOKEN_QUERY = 'launch_token';
