// Types of stablequeue_core.js, for the project's TypeScript tests.
export declare const EXTENSION_NAME: string;
export declare const COMMANDS: { queue: string; queueWithPriority: string; settings: string; jobs: string };
export declare const MENU_PATH: string[];
export declare const CANVAS_MENU_ENTRY: string;
export declare const PRIORITY_PRESETS: { label: string; priority: number }[];
export declare const JOB_ACTIONS: Record<string, ("top" | "cancel" | "retry")[]>;

/** LiteGraph's context menu item (IContextMenuValue); null is a separator. */
export interface CanvasMenuItem {
    content: string;
    has_submenu?: boolean;
    submenu?: { title?: string; options: (CanvasMenuItem | null)[] };
    callback?: () => void;
}

export interface StableQueueCommand {
    id: string;
    label: string;
    icon?: string;
    function: () => unknown;
}

export interface StableQueueExtension {
    name: string;
    commands: StableQueueCommand[];
    menuCommands: { path: string[]; commands: string[] }[];
    getCanvasMenuItems(canvas?: unknown): (CanvasMenuItem | null)[];
    setup(): Promise<void>;
}

export interface RequestResult {
    ok: boolean;
    status: number;
    body: any;
}

export interface StableQueue {
    extension: StableQueueExtension;
    queueCurrentWorkflow(options?: {
        target_server_alias?: string;
        priority?: number;
        randomize_seed?: boolean;
        track?: boolean;
    }): Promise<any>;
    pollOnce(jobId: string): Promise<RequestResult>;
    track(jobId: string): void;
    stopTracking(jobId: string): void;
    stopAll(): void;
    tracked: Map<string, { timer: unknown; started: number; last: any }>;
    showRecentJobs(): Promise<any[] | null>;
    jobAction(action: "top" | "cancel" | "retry", jobId: string): Promise<RequestResult>;
    choosePriority(): Promise<any>;
    canvasMenuItems(): (CanvasMenuItem | null)[];
    loadSettings(): Promise<RequestResult>;
    saveSettings(values: Record<string, unknown>): Promise<RequestResult>;
    openSettings(): Promise<unknown>;
    addLegacyButton(): unknown;
    request(method: string, path: string, body?: unknown): Promise<RequestResult>;
}

export interface StableQueueDeps {
    app: any;
    api?: any;
    fetch?: (input: string, init?: any) => Promise<any>;
    document?: any;
    setTimeout?: (fn: () => void, ms: number) => unknown;
    clearTimeout?: (handle: unknown) => void;
    console?: Pick<Console, "info" | "warn" | "error">;
    now?: () => number;
}

export declare function createStableQueue(deps: StableQueueDeps): StableQueue;
export declare function registerStableQueue(app: any, api: any, extraDeps?: Partial<StableQueueDeps>): StableQueue;
