// The switchboard behind setFault(): HTTP faults consumed per matching request,
// progress-triggered faults (ws_drop, restart) and one-shot node exceptions.
import type { ComfyFault } from './types.ts';

type HttpFault = Extract<ComfyFault, { kind: '500' | 'delay' }>;
type ProgressFault = Extract<ComfyFault, { kind: 'ws_drop' | 'restart' }>;
type NodeFault = Extract<ComfyFault, { kind: 'execution_error' }>;

interface Armed<T> {
  fault: T;
  remaining: number;
}

export interface HttpFaultAction {
  status500: boolean;
  delayMs: number;
}

export class FaultBoard {
  private http: Armed<HttpFault>[] = [];
  private progress: Armed<ProgressFault>[] = [];
  private node: Armed<NodeFault>[] = [];

  /** Returns the faults that must fire right away (progress faults without a trigger count). */
  add(fault: ComfyFault): ProgressFault[] {
    switch (fault.kind) {
      case '500':
      case 'delay':
        this.http.push({ fault, remaining: fault.count ?? 1 });
        return [];
      case 'execution_error':
        this.node.push({ fault, remaining: fault.count ?? 1 });
        return [];
      case 'ws_drop':
      case 'restart':
        if (fault.afterProgress === undefined || fault.afterProgress <= 0) return [fault];
        this.progress.push({ fault, remaining: fault.afterProgress });
        return [];
    }
  }

  clear(): void {
    this.http = [];
    this.progress = [];
    this.node = [];
  }

  /** Consume the HTTP faults matching this request (path without the /api prefix). */
  takeHttp(method: string, routePath: string): HttpFaultAction {
    const action: HttpFaultAction = { status500: false, delayMs: 0 };
    for (const armed of this.http) {
      const { fault } = armed;
      if (fault.path !== routePath || (fault.method && fault.method.toUpperCase() !== method)) continue;
      if (fault.kind === '500' && !action.status500) {
        action.status500 = true;
        armed.remaining--;
      } else if (fault.kind === 'delay' && action.delayMs === 0) {
        action.delayMs = fault.ms;
        armed.remaining--;
      }
    }
    this.http = this.http.filter((a) => a.remaining > 0);
    return action;
  }

  /** Count one progress event; returns the faults whose countdown just reached zero. */
  onProgress(): ProgressFault[] {
    const due: ProgressFault[] = [];
    for (const armed of this.progress) {
      armed.remaining--;
      if (armed.remaining === 0) due.push(armed.fault);
    }
    this.progress = this.progress.filter((a) => a.remaining > 0);
    return due;
  }

  /** Consume an execution_error fault for a node of this class, if one is armed. */
  takeNodeError(classType: string): NodeFault | null {
    const armed = this.node.find((a) => !a.fault.nodeClass || a.fault.nodeClass === classType);
    if (!armed) return null;
    armed.remaining--;
    this.node = this.node.filter((a) => a.remaining > 0);
    return armed.fault;
  }
}
