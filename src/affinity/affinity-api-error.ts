import { scrub } from '../log/secrets.js';
import { errorBodySchema } from './schemas.js';

export interface AffinityApiErrorDetails {
  /** HTTP method, e.g. "PATCH". */
  method: string;
  /** URL path without the query string. */
  path: string;
  /** HTTP status; 0 when no response arrived (network error, timeout). */
  status: number;
  /** Affinity's error code, e.g. "validation", "not-found", "rate-limit". */
  code?: string | undefined;
  /** Affinity's `param`, e.g. "updates[0].value". */
  param?: string | undefined;
  /** Affinity's own message. */
  affinityMessage?: string | undefined;
  /** Our description when Affinity gave none (network error, unparsable response). */
  detail?: string | undefined;
  /** Whether sending the same request again may succeed. @defaultValue false */
  retryable?: boolean | undefined;
  cause?: unknown;
}

/**
 * One error for every failed Affinity call. The message reads like
 * `PATCH /v2/lists/1/list-entries/2/fields: 400 validation (updates[0].value): <message>` and never
 * carries the API key (paths have no query string; all text passes through scrub()).
 */
export class AffinityApiError extends Error {
  override readonly name = 'AffinityApiError';
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly code?: string;
  readonly param?: string;
  readonly affinityMessage?: string;
  readonly retryable: boolean;

  constructor(details: AffinityApiErrorDetails) {
    super(scrub(formatMessage(details)), details.cause === undefined ? undefined : { cause: details.cause });
    this.method = details.method;
    this.path = details.path;
    this.status = details.status;
    if (details.code !== undefined) this.code = details.code;
    if (details.param !== undefined) this.param = details.param;
    if (details.affinityMessage !== undefined) this.affinityMessage = scrub(details.affinityMessage);
    this.retryable = details.retryable ?? false;
  }

  /** Builds the error for a non-2xx response from its body (Affinity's `{errors:[…]}` when it parses). */
  static fromResponse(
    request: { method: string; path: string; status: number; retryable?: boolean; detail?: string },
    bodyText: string,
  ): AffinityApiError {
    const first = parseErrorBody(bodyText);
    return new AffinityApiError({
      ...request,
      code: first?.code,
      param: first?.param,
      affinityMessage: first?.message,
    });
  }
}

/** The first entry of Affinity's error body, plus a count of the others in its message. */
function parseErrorBody(bodyText: string): { code: string; message: string; param?: string } | undefined {
  let json: unknown;
  try {
    json = JSON.parse(bodyText);
  } catch {
    return undefined;
  }
  const parsed = errorBodySchema.safeParse(json);
  if (!parsed.success) return undefined;
  const [first, ...rest] = parsed.data.errors;
  if (first === undefined) return undefined;
  const message = rest.length > 0 ? `${first.message} (and ${rest.length} more errors)` : first.message;
  return first.param === undefined
    ? { code: first.code, message }
    : { code: first.code, message, param: first.param };
}

function formatMessage(d: AffinityApiErrorDetails): string {
  const where = `${d.method} ${d.path}`;
  if (d.status === 401) {
    return (
      `${where}: 401 Affinity refused the API key (${d.affinityMessage ?? 'unauthorized'}); ` +
      'check that AFFINITY_API_KEY holds a current key from Affinity Settings → API'
    );
  }
  if (d.status === 0) return `${where}: ${d.detail ?? 'no response'}`;
  const code = d.code === undefined ? '' : ` ${d.code}`;
  const param = d.param === undefined ? '' : ` (${d.param})`;
  const text = d.affinityMessage ?? d.detail ?? 'no error details in the response';
  const extra = d.affinityMessage !== undefined && d.detail !== undefined ? ` — ${d.detail}` : '';
  return `${where}: ${d.status}${code}${param}: ${text}${extra}`;
}
