/**
 * An error a service throws on purpose because the request cannot be done as asked (an
 * unknown job, a reserved alias, a server that cannot be reached). It carries the HTTP
 * status and the stable code the API answers with, so routes never catch and translate.
 */
export class DomainError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.details = details;
  }
}
