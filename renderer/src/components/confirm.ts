import { reactive } from 'vue';

export interface ConfirmRequest {
  title: string;
  message?: string;
  confirmLabel?: string;
  danger?: boolean;
}

/** One app-wide confirmation dialog (rendered by ConfirmHost). */
export const confirmState = reactive<{ open: boolean; req: ConfirmRequest | null; resolve: ((ok: boolean) => void) | null }>({
  open: false,
  req: null,
  resolve: null,
});

export function confirmAction(req: ConfirmRequest): Promise<boolean> {
  confirmState.resolve?.(false);
  return new Promise((resolve) => {
    confirmState.req = req;
    confirmState.resolve = resolve;
    confirmState.open = true;
  });
}

export function settleConfirm(ok: boolean): void {
  confirmState.open = false;
  confirmState.resolve?.(ok);
  confirmState.resolve = null;
}
