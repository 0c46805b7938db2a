/**
 * Copy text and say so for two seconds. navigator.clipboard needs a secure context; a
 * phone on plain http over the LAN falls back to a hidden selection + execCommand.
 * `copied` is the label of what was copied, or `!label` when copying failed.
 */
import { onBeforeUnmount, ref } from 'vue';

const SHOW_COPIED_MS = 2000;

async function writeText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    /* fall through to the selection copy */
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}

export function useClipboard() {
  const copied = ref('');
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function copy(text: string, label: string): Promise<boolean> {
    const ok = await writeText(text);
    copied.value = ok ? label : `!${label}`;
    clearTimeout(timer);
    timer = setTimeout(() => (copied.value = ''), SHOW_COPIED_MS);
    return ok;
  }
  onBeforeUnmount(() => clearTimeout(timer));

  /** For an aria-live region: what happened to the last copy. */
  const announcement = () =>
    !copied.value ? '' : copied.value.startsWith('!') ? 'Copy failed; select the text and copy it by hand' : `${copied.value} copied`;

  return { copied, copy, announcement };
}
