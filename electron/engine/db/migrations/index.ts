import type Database from 'better-sqlite3';
import { createCoreTables } from './001-core.ts';
import { createApiKeysTable } from './002-api-keys.ts';
import { createModelTables } from './003-models.ts';
import { addSeedApiFields } from './004-seed-api-fields.ts';
import { createNotificationTables } from './005-notifications.ts';
import { createModelTrash } from './006-model-trash.ts';
import { addJobCallbacks } from './007-job-callbacks.ts';
import { addImageKind } from './008-image-kind.ts';
import { createPushTargets } from './009-push-targets.ts';
import { addJobEditHistory } from './010-job-edit-history.ts';
import { dropJobLeaseUntil } from './011-drop-lease-until.ts';
import { addJobHoldSchedule } from './012-job-hold-schedule.ts';
import { createBatches } from './013-batches.ts';
import { createDispatchStats } from './014-dispatch-stats.ts';
import { addServerRules } from './015-server-rules.ts';
import { createGalleryIndex } from './016-gallery-index.ts';
import { createGenerateLibrary } from './017-generate-library.ts';
import { createModelCollections } from './018-model-collections.ts';
import { addGalleryFacetIndexes } from './019-gallery-facet-indexes.ts';
import { addContactSheetBatch } from './020-contact-sheet-batch.ts';

export type Migration = (db: Database.Database) => void;

/** Append only: index i holds the step to user_version i+1. Never edit a released step. */
export const MIGRATIONS: Migration[] = [createCoreTables, createApiKeysTable, createModelTables, addSeedApiFields, createNotificationTables, createModelTrash, addJobCallbacks, addImageKind, createPushTargets, addJobEditHistory, dropJobLeaseUntil,
  addJobHoldSchedule, createBatches, createDispatchStats, addServerRules, createGalleryIndex, createGenerateLibrary, createModelCollections,
  addGalleryFacetIndexes, addContactSheetBatch];
