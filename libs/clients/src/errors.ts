/** A non-2xx reply or a transport failure, with the service's error code and field when it sent one. */
export class ServiceClientError extends Error {
  readonly code: string;
  /** HTTP status; 0 for connection errors and timeouts. */
  readonly statusCode: number;
  readonly field?: string;
  readonly attempts: number;
  constructor(code: string, statusCode: number, message: string, attempts: number, field?: string) {
    super(message);
    this.name = 'ServiceClientError';
    this.code = code;
    this.statusCode = statusCode;
    this.field = field;
    this.attempts = attempts;
  }
}
