/** Input bounds shared by the API validation and the UI form, so both agree. */
export const LIMITS = {
  bodyBytes: 8 * 1024 * 1024, // img2img init images and ComfyUI workflows can be large
  promptChars: 20_000,
  minSide: 64,
  maxSide: 8192,
  maxSteps: 500,
  maxBatchSize: 16,
  maxIterations: 100,
  maxLoras: 32,
  priorityMin: 1,
  priorityMax: 10,
  priorityDefault: 5,
  aliasPattern: '^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$',
  pageSizeMax: 200,
  /** Seeds stay exact JavaScript numbers (and SQLite integers). */
  maxSeed: Number.MAX_SAFE_INTEGER,
  /** A job's client `metadata`, as JSON. */
  metadataBytes: 16 * 1024,
} as const;
