/**
 * Which servers are unreachable and since when, so an outage is said out loud: the banner
 * names the servers, and each waiting or running job says why it is not moving. "Since" is
 * when this tab first saw the server offline (or its last failed check, when the tab
 * opened during the outage).
 */
import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import type { JobSummary } from '../../../shared/jobs.ts';
import { AUTO_SERVER } from '../../../shared/servers.ts';
import type { ServerView } from '../../../shared/servers.ts';
import { isFinished } from './jobs.ts';
import { useServers } from './servers.ts';

const clockTime = (ms: number) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

export const useOutage = defineStore('outage', () => {
  const servers = useServers();
  const since = ref<Record<string, number>>({});

  const down = computed(() => servers.list.filter((s) => s.enabled && s.status === 'offline'));

  watch(
    down,
    (list) => {
      const next: Record<string, number> = {};
      for (const s of list) next[s.alias] = since.value[s.alias] ?? (s.last_checked ? Date.parse(s.last_checked) : Date.now());
      since.value = next;
    },
    { immediate: true },
  );

  function sinceText(alias: string): string {
    const at = since.value[alias];
    return at ? ` since ${clockTime(at)}` : '';
  }

  /** The unreachable server a job is waiting for, or null when nothing stands in its way. */
  function blockingServer(job: JobSummary): ServerView | null {
    if (isFinished(job)) return null;
    const alias = job.assigned_server_alias ?? job.target_server_alias;
    if (alias && alias !== AUTO_SERVER) return down.value.find((s) => s.alias === alias) ?? null;
    // "Any server": blocked only when every enabled server of its app type is down.
    const candidates = servers.list.filter((s) => s.enabled && s.app_type === job.app_type);
    if (!candidates.length || candidates.some((s) => s.status !== 'offline')) return null;
    return candidates[0] ?? null;
  }

  /** "Waiting — forge-1 unreachable since 14:02 (retrying)", or null. */
  function reasonFor(job: JobSummary): string | null {
    const server = blockingServer(job);
    return server ? `Waiting — ${server.alias} unreachable${sinceText(server.alias)} (retrying)` : null;
  }

  /** The banner's line, or null when every server is reachable. */
  const bannerText = computed((): string | null => {
    const list = down.value;
    if (!list.length) return null;
    if (list.length === 1) return `${list[0]!.alias} is unreachable${sinceText(list[0]!.alias)}. Its jobs wait and are retried when it comes back.`;
    return `${list.length} servers are unreachable: ${list.map((s) => s.alias).join(', ')}. Their jobs wait and are retried when they come back.`;
  });

  return { down, reasonFor, bannerText };
});
