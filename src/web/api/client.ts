// The one fetch wrapper: JSON in and out, same-origin cookies, the CSRF header on every
// call, and RFC 9457 problems turned into a typed ApiError. Multipart uploads go through
// XMLHttpRequest for their progress, with the same header and the same errors.

export interface FieldError {
  field: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string | undefined;
  readonly title: string | undefined;
  readonly errors: FieldError[];
  /** Seconds to wait before trying again, from a 429's Retry-After. */
  readonly retryAfter: number | undefined;

  constructor(init: { status: number; code: string; detail?: string; title?: string; errors?: FieldError[]; retryAfter?: number }) {
    super(init.detail ?? init.title ?? `Request failed (${init.status})`);
    this.name = "ApiError";
    this.status = init.status;
    this.code = init.code;
    this.detail = init.detail;
    this.title = init.title;
    this.errors = init.errors ?? [];
    this.retryAfter = init.retryAfter;
  }

  /** The message to show a person: the server's detail, else its title, else a generic line. */
  get userMessage(): string {
    if (this.code === "rate_limited" && this.retryAfter !== undefined) return `Too many attempts. Try again in ${waitInWords(this.retryAfter)}.`;
    if (this.detail) return this.detail;
    if (this.title) return this.title;
    if (this.status === 0) return "Could not reach the server. Check your connection and try again.";
    return `Something went wrong (${this.status}).`;
  }
}

export function isApiError(error: unknown, code?: string): error is ApiError {
  return error instanceof ApiError && (code === undefined || error.code === code);
}

/** A field name as the server reports it ("/body/email", "body.email", "email") → "email". */
export function fieldKey(field: string): string {
  const parts = field.split(/[/.]/).filter(Boolean);
  const last = parts[parts.length - 1] ?? field;
  return /^\d+$/.test(last) && parts.length > 1 ? (parts[parts.length - 2] ?? last) : last;
}

/** "45 seconds", "1 minute", "15 minutes", "2 hours" (rounded up: never shorter than the wait). */
export function waitInWords(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return s === 1 ? "1 second" : `${s} seconds`;
  const m = Math.ceil(s / 60);
  if (m < 60) return m === 1 ? "1 minute" : `${m} minutes`;
  const h = Math.ceil(m / 60);
  return h === 1 ? "1 hour" : `${h} hours`;
}

/** Words for a field in a sentence, where its name alone would not do. */
const FIELD_WORDS: Record<string, string> = { email: "an e-mail address", name: "a name", password: "a password", roles: "at least one role", permissions: "at least one permission" };

/**
 * A schema validator's message ("must NOT have fewer than 1 characters", "must match pattern
 * \"^…$\"") in plain words for the field; a message already written for people is kept.
 */
export function plainFieldMessage(field: string, message: string): string {
  if (!/^must\b|\bpattern\b|\bformat\b/i.test(message)) return message;
  const key = fieldKey(field);
  const fewer = /fewer than (\d+) (characters|items)/.exec(message);
  if (fewer) {
    const n = Number(fewer[1]);
    if (fewer[2] === "items") return n <= 1 ? `Choose ${FIELD_WORDS[key] ?? "at least one"}.` : `Choose at least ${n}.`;
    if (n <= 1) return `Enter ${FIELD_WORDS[key] ?? "a value"}.`;
    return `Use at least ${n} characters.`;
  }
  const more = /more than (\d+) (characters|items)/.exec(message);
  if (more) return more[2] === "items" ? `Choose at most ${more[1]}.` : `Use at most ${more[1]} characters.`;
  if (key === "email") return "Enter an e-mail address like name@example.com.";
  if (/required property/.test(message)) return `Enter ${FIELD_WORDS[key] ?? "this"}.`;
  if (/allowed values/.test(message)) return "Choose one of the options offered.";
  if (/pattern|format/.test(message)) return key === "name" ? "Use letters, digits and ordinary punctuation only." : "This is not in the expected form.";
  return "This value is not accepted; check it and try again.";
}

/** Errors for one field, in plain words, joined; undefined when there are none. */
export function fieldError(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const messages = error.errors.filter((e) => fieldKey(e.field) === field).map((e) => plainFieldMessage(e.field, e.message));
  return messages.length ? [...new Set(messages)].join(" ") : undefined;
}

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export type Query = Record<string, string | number | undefined | null>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json, application/problem+json" };
  // Required on state-changing calls; harmless on reads.
  headers["X-Requested-With"] = "certdesk";
  if (body !== undefined) headers["Content-Type"] = "application/json";

  let response: Response;
  try {
    response = await fetch(`/api${path}`, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError({ status: 0, code: "network" });
  }

  if (response.status === 204) return undefined as T;
  return settle<T>(response.status, await response.text(), response.headers.get("Retry-After"));
}

/** Retry-After as seconds: a number of seconds or an HTTP date. */
function retryAfterSeconds(header: string | null | undefined): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/** A response's body as JSON, or an ApiError built from its problem details. */
function settle<T>(status: number, text: string, retryAfter?: string | null): T {
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (status < 200 || status >= 300) {
    const problem = (data ?? {}) as { code?: unknown; detail?: unknown; title?: unknown; errors?: unknown };
    throw new ApiError({
      status,
      code: typeof problem.code === "string" ? problem.code : `http_${status}`,
      detail: typeof problem.detail === "string" ? problem.detail : undefined,
      title: typeof problem.title === "string" ? problem.title : undefined,
      errors: Array.isArray(problem.errors)
        ? problem.errors.filter(
            (e): e is FieldError =>
              typeof e === "object" && e !== null && typeof (e as FieldError).message === "string",
          ).map((e) => ({ field: String(e.field ?? ""), message: e.message }))
        : [],
      retryAfter: retryAfterSeconds(retryAfter),
    });
  }
  return data as T;
}

export interface UploadOptions {
  /** Called with the share of the body sent so far, 0 to 1. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

/**
 * POST multipart/form-data with upload progress (fetch cannot report it, XMLHttpRequest can).
 * The browser sets the multipart Content-Type with its boundary; only the CSRF header is added.
 */
function upload<T>(path: string, form: FormData, options: UploadOptions = {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api${path}`);
    xhr.setRequestHeader("Accept", "application/json, application/problem+json");
    xhr.setRequestHeader("X-Requested-With", "certdesk");
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) options.onProgress?.(event.loaded / event.total);
    };
    xhr.onload = () => {
      try {
        resolve(xhr.status === 204 ? (undefined as T) : settle<T>(xhr.status, xhr.responseText, xhr.getResponseHeader("Retry-After")));
      } catch (error) {
        reject(error);
      }
    };
    xhr.onerror = () => reject(new ApiError({ status: 0, code: "network" }));
    xhr.onabort = () => reject(new ApiError({ status: 0, code: "aborted", detail: "The upload was cancelled." }));
    if (options.signal) {
      if (options.signal.aborted) return xhr.abort();
      options.signal.addEventListener("abort", () => xhr.abort(), { once: true });
    }
    xhr.send(form);
  });
}

export const http = {
  get: <T>(path: string, query?: Query) => request<T>("GET", withQuery(path, query)),
  post: <T>(path: string, body?: unknown) => request<T>("POST", path, body),
  put: <T>(path: string, body?: unknown) => request<T>("PUT", path, body),
  patch: <T>(path: string, body?: unknown) => request<T>("PATCH", path, body),
  delete: <T = void>(path: string) => request<T>("DELETE", path),
  upload,
};
