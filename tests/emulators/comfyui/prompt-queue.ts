// execution.py's PromptQueue: a Python heapq min-heap of queue items (so
// /queue lists pending items in the same heap order), the running set, and the
// history dict. `onChange` fires wherever ComfyUI calls queue_updated().
import { asNumber, pyClone } from './py-json.ts';
import type { HistoryEntry, QueueItem } from './types.ts';

const MAXIMUM_HISTORY_SIZE = 10000;

export class PromptQueue {
  private heap: QueueItem[] = [];
  private running = new Map<number, QueueItem>();
  private history = new Map<string, HistoryEntry>();
  private taskCounter = 0;
  private readonly onChange: () => void;

  constructor(onChange: () => void) {
    this.onChange = onChange;
  }

  put(item: QueueItem): void {
    this.heap.push(item);
    siftDown(this.heap, 0, this.heap.length - 1);
    this.onChange();
  }

  /** Pop the lowest item and mark it running; null when nothing is pending. */
  get(): { item: QueueItem; taskId: number } | null {
    if (this.heap.length === 0) return null;
    const item = heapPop(this.heap);
    const taskId = this.taskCounter++;
    this.running.set(taskId, pyClone(item));
    this.onChange();
    return { item, taskId };
  }

  taskDone(taskId: number, result: Pick<HistoryEntry, 'outputs' | 'meta' | 'status'>): void {
    const prompt = this.running.get(taskId);
    if (!prompt) return;
    this.running.delete(taskId);
    if (this.history.size > MAXIMUM_HISTORY_SIZE) this.history.delete(this.history.keys().next().value as string);
    // Re-running a known id keeps its old position, like a Python dict assignment.
    this.history.set(prompt[1], { prompt, outputs: result.outputs, status: result.status, meta: result.meta });
    this.onChange();
  }

  runningItems(): QueueItem[] {
    return [...this.running.values()];
  }

  pendingItems(): QueueItem[] {
    return [...this.heap];
  }

  tasksRemaining(): number {
    return this.heap.length + this.running.size;
  }

  wipeQueue(): void {
    this.heap = [];
    this.onChange();
  }

  /** Deletes the first pending item with this id; mirrors the double status event when it was the last one. */
  deletePending(promptId: string): boolean {
    const index = this.heap.findIndex((item) => item[1] === promptId);
    if (index < 0) return false;
    if (this.heap.length === 1) this.wipeQueue();
    else {
      this.heap.splice(index, 1);
      heapify(this.heap);
    }
    this.onChange();
    return true;
  }

  historyFor(promptId: string): Record<string, HistoryEntry> {
    const entry = this.history.get(promptId);
    return entry ? { [promptId]: pyClone(entry) } : {};
  }

  /** get_history(max_items, offset) with Python's offset rules. */
  historyPage(maxItems: number | null, offset: number): Record<string, HistoryEntry> {
    const out: Record<string, HistoryEntry> = {};
    let start = offset;
    if (start < 0 && maxItems !== null) start = this.history.size - maxItems;
    let i = 0;
    for (const [id, entry] of this.history) {
      if (i >= start) {
        out[id] = entry;
        if (maxItems !== null && Object.keys(out).length >= maxItems) break;
      }
      i++;
    }
    return out;
  }

  wipeHistory(): void {
    this.history.clear();
  }

  deleteHistory(promptId: string): void {
    this.history.delete(promptId);
  }

  /** Forget everything, as a process restart does. */
  reset(): void {
    this.heap = [];
    this.running.clear();
    this.history.clear();
    this.taskCounter = 0;
  }
}

/** Python tuple ordering of `(number, prompt_id, ...)`. */
function lessThan(a: QueueItem, b: QueueItem): boolean {
  const x = asNumber(a[0]) as number;
  const y = asNumber(b[0]) as number;
  if (x !== y) return x < y;
  return a[1] < b[1];
}

// heapq's _siftdown / _siftup / heappop / heapify, line for line, so the
// pending list comes out in the same order as ComfyUI's.
function siftDown(heap: QueueItem[], startPos: number, pos: number): void {
  const newItem = heap[pos];
  while (pos > startPos) {
    const parentPos = (pos - 1) >> 1;
    const parent = heap[parentPos];
    if (lessThan(newItem, parent)) {
      heap[pos] = parent;
      pos = parentPos;
      continue;
    }
    break;
  }
  heap[pos] = newItem;
}

function siftUp(heap: QueueItem[], pos: number): void {
  const endPos = heap.length;
  const startPos = pos;
  const newItem = heap[pos];
  let childPos = 2 * pos + 1;
  while (childPos < endPos) {
    const rightPos = childPos + 1;
    if (rightPos < endPos && !lessThan(heap[childPos], heap[rightPos])) childPos = rightPos;
    heap[pos] = heap[childPos];
    pos = childPos;
    childPos = 2 * pos + 1;
  }
  heap[pos] = newItem;
  siftDown(heap, startPos, pos);
}

function heapPop(heap: QueueItem[]): QueueItem {
  const last = heap.pop() as QueueItem;
  if (heap.length === 0) return last;
  const top = heap[0];
  heap[0] = last;
  siftUp(heap, 0);
  return top;
}

function heapify(heap: QueueItem[]): void {
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftUp(heap, i);
}
