import { defineStore } from 'pinia';
import { ref } from 'vue';
import { describeError } from '../api/errors.ts';

export type ToastKind = 'success' | 'error' | 'info' | 'warning';

export interface ToastAction {
  label: string;
  run: () => void;
}

export interface Toast {
  id: number;
  kind: ToastKind;
  title: string;
  message?: string;
  action?: ToastAction;
  timeout: number;
}

export type ToastInput = Omit<Toast, 'id' | 'timeout'> & { timeout?: number };

const MAX_TOASTS = 4;

export const useToasts = defineStore('toasts', () => {
  const toasts = ref<Toast[]>([]);
  let nextId = 1;
  const timers = new Map<number, ReturnType<typeof setTimeout>>();

  function push(input: ToastInput): number {
    const id = nextId++;
    const timeout = input.timeout ?? (input.kind === 'error' ? 8000 : 4000);
    toasts.value = [...toasts.value, { ...input, id, timeout }].slice(-MAX_TOASTS);
    if (timeout > 0) timers.set(id, setTimeout(() => dismiss(id), timeout));
    return id;
  }

  function dismiss(id: number): void {
    const t = timers.get(id);
    if (t) clearTimeout(t);
    timers.delete(id);
    toasts.value = toasts.value.filter((x) => x.id !== id);
  }

  /** A failure toast: what failed (title) and what to do (the engine's message). */
  function error(title: string, err?: unknown, action?: ToastAction): number {
    return push({ kind: 'error', title, message: err === undefined ? undefined : describeError(err), action });
  }

  function success(title: string, message?: string, action?: ToastAction): number {
    return push({ kind: 'success', title, message, action });
  }

  function info(title: string, message?: string): number {
    return push({ kind: 'info', title, message });
  }

  return { toasts, push, dismiss, error, success, info };
});
