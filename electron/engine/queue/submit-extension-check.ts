import type { GenerationParams, JobMode } from '../../../shared/jobs.ts';
import type { RuntimeServer } from '../servers/server-registry.ts';

/**
 * A job sent to a named server that is known not to have an always-on script the job uses
 * would fail there (a 422 at dispatch, after waiting its turn). When the server's script
 * list is known (read with each health check) the job is refused at submit instead,
 * naming the missing extensions and the servers that have them. While the list is not
 * known yet, the job is accepted and the backend checks again before sending.
 */

export interface MissingExtensionProblem {
  message: string;
  details: { server: string; missing_extensions: string[]; servers_with_them: string[] };
}

/** The always-on script titles a job names (keys of `alwayson_scripts`). */
export function alwaysonTitles(params: GenerationParams): string[] {
  const scripts = params.alwayson_scripts;
  return scripts && typeof scripts === 'object' && !Array.isArray(scripts) ? Object.keys(scripts) : [];
}

export function missingExtensionProblem(
  server: RuntimeServer, others: readonly RuntimeServer[], mode: JobMode, params: GenerationParams,
): MissingExtensionProblem | null {
  const titles = alwaysonTitles(params);
  if (titles.length === 0) return null;
  const missing = server.backend.lacksExtensions?.(mode, titles) ?? null;
  if (!missing || missing.length === 0) return null;
  const withThem = others
    .filter((s) => s !== server && s.row.app_type === server.row.app_type && s.backend.lacksExtensions?.(mode, titles)?.length === 0)
    .map((s) => s.row.alias);
  const names = missing.map((m) => `"${m}"`).join(', ');
  const where = withThem.length
    ? ` Servers that have ${missing.length > 1 ? 'them' : 'it'}: ${withThem.join(', ')} (or send it to "auto").`
    : ' No server is known to have it; install it on the server first.';
  return {
    message: `Server "${server.row.alias}" does not have the extension${missing.length > 1 ? 's' : ''} ${names} this job uses.${where}`,
    details: { server: server.row.alias, missing_extensions: missing, servers_with_them: withThem },
  };
}
