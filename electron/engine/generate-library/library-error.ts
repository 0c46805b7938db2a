import { DomainError } from '../domain-error.ts';

/** A style, template or preset request that cannot be done as asked (unknown name, name taken, bad CSV). */
export class LibraryError extends DomainError {}

/** SQLite's answer to a second row with a UNIQUE name, as a 409 that says which name. */
export function nameTaken(error: unknown, what: string, name: string): never {
  if (error instanceof Error && /UNIQUE constraint failed/.test(error.message)) {
    throw new LibraryError(409, 'name_taken', `A ${what} named "${name}" already exists (names ignore case). Choose another name, or update that one.`);
  }
  throw error;
}
