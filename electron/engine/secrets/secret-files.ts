/**
 * The secret files a data folder may hold, named once: the desktop's safeStorage file and
 * the plain 0600 JSON file (headless, or the desktop's last resort). Backups and restores
 * copy them beside the database; the stores read and write them.
 */
export const SAFE_STORAGE_FILE = 'secrets.safestorage.json';
export const PLAIN_SECRETS_FILE = 'secrets.json';
