import Type from 'typebox';

/**
 * What StableQueue can tell people about, and the webhook API's shapes. One list of event
 * names for every kind of target (webhooks, push URLs, Web Push, the desktop).
 */
export const NOTIFY_EVENTS = [
  'job.finished', 'job.failed', 'batch.finished', 'queue.drained', 'server.offline', 'server.online', 'download.finished',
] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];
// NotifyEventSchema below spells the same list out, since a mapped union loses its literal types.

/** What each event means, for people (Settings shows these). */
export const NOTIFY_EVENT_LABELS: Record<NotifyEvent, string> = {
  'job.finished': 'A job finished',
  'job.failed': 'A job failed',
  'batch.finished': 'A batch finished',
  'queue.drained': 'The whole queue is done',
  'server.offline': 'A server went offline',
  'server.online': 'A server is back online',
  'download.finished': 'A model download finished',
};

export const NotifyEventSchema = Type.Union([
  Type.Literal('job.finished'), Type.Literal('job.failed'), Type.Literal('batch.finished'), Type.Literal('queue.drained'),
  Type.Literal('server.offline'), Type.Literal('server.online'), Type.Literal('download.finished'),
]);

/** POST /api/v1/webhooks. `secret` is write-only: it goes to the secret store and is never returned. */
export const WebhookCreateSchema = Type.Object({
  url: Type.String({ minLength: 1, maxLength: 2048 }),
  events: Type.Array(NotifyEventSchema, { minItems: 1, uniqueItems: true }),
  secret: Type.Optional(Type.Union([Type.String({ minLength: 8, maxLength: 256 }), Type.Null()])),
  enabled: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });
export type WebhookCreate = Type.Static<typeof WebhookCreateSchema>;

/** PUT /api/v1/webhooks/:id: any of the fields; `secret: null` removes the secret. */
export const WebhookPatchSchema = Type.Partial(WebhookCreateSchema, { additionalProperties: false });
export type WebhookPatch = Type.Static<typeof WebhookPatchSchema>;

export const WebhookViewSchema = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(NotifyEventSchema),
  has_secret: Type.Boolean(),
  enabled: Type.Boolean(),
  created_at: Type.String(),
});
export type WebhookView = Type.Static<typeof WebhookViewSchema>;

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const DeliveryAttemptSchema = Type.Object({
  attempt: Type.Integer(),
  at: Type.String(),
  status_code: Type.Union([Type.Integer(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
});

/** One row of a webhook's delivery log. */
export const DeliveryViewSchema = Type.Object({
  id: Type.String(),
  event: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  last_status_code: Type.Union([Type.Integer(), Type.Null()]),
  last_error: Type.Union([Type.String(), Type.Null()]),
  next_attempt_at: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
  delivered_at: Type.Union([Type.String(), Type.Null()]),
  tries: Type.Array(DeliveryAttemptSchema),
});
export type DeliveryView = Type.Static<typeof DeliveryViewSchema>;

const HHMM = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' });
export const QuietHoursSchema = Type.Union([Type.Object({ start: HHMM, end: HHMM }, { additionalProperties: false }), Type.Null()]);

/** POST /api/v1/push-targets: one Apprise-style URL (its tokens go to the secret store). */
export const PushTargetCreateSchema = Type.Object({
  url: Type.String({ minLength: 1, maxLength: 2048 }),
  events: Type.Array(NotifyEventSchema, { minItems: 1, uniqueItems: true }),
  /** Local times between which nothing is sent (may wrap midnight). */
  quiet_hours: Type.Optional(QuietHoursSchema),
  /** One message when the whole queue is done, none per job. */
  only_when_queue_done: Type.Optional(Type.Boolean()),
  enabled: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });
export type PushTargetCreate = Type.Static<typeof PushTargetCreateSchema>;

export const PushTargetPatchSchema = Type.Partial(PushTargetCreateSchema, { additionalProperties: false });
export type PushTargetPatch = Type.Static<typeof PushTargetPatchSchema>;

export const PushTargetViewSchema = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  /** The URL with its secrets cut out. */
  url: Type.String(),
  events: Type.Array(NotifyEventSchema),
  quiet_hours: QuietHoursSchema,
  only_when_queue_done: Type.Boolean(),
  enabled: Type.Boolean(),
  created_at: Type.String(),
});
export type PushTargetView = Type.Static<typeof PushTargetViewSchema>;
