// The environment, parsed and validated once into a typed Config (API.md, "Operator command line").
import path from "node:path";

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string;
  baseUrl: string;
  /** true when BASE_URL is https: Secure + __Host- cookies, HSTS. */
  secureCookies: boolean;
  smtpUrl: string | undefined;
  mailDir: string;
  invitationTtlHours: number;
  defaultTeamLimit: number;
  rateLimitScale: number;
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  /** Proxies whose X-Forwarded-For is believed (Fastify trustProxy); none by default. */
  trustProxy: string | undefined;
  logLevel: string;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function number(env: Env, name: string, fallback: number, check: (n: number) => boolean, rule: string): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || !check(value)) throw new ConfigError(`${name} must be ${rule}, got "${raw}".`);
  return value;
}

export function loadConfig(env: Env = process.env): Config {
  const port = number(env, "PORT", 3000, (n) => Number.isInteger(n) && n >= 0 && n < 65536, "a port number (0-65535)");
  const dataDir = path.resolve(env.DATA_DIR || "./data");
  const databaseUrl = env.DATABASE_URL || `sqlite:${path.join(dataDir, "certdesk.db")}`;
  if (!/^(sqlite:|postgres(ql)?:\/\/)/.test(databaseUrl)) {
    throw new ConfigError(`DATABASE_URL must start with sqlite: or postgres://, got "${databaseUrl}".`);
  }
  const baseUrl = (env.BASE_URL || `http://localhost:${port}`).replace(/\/+$/, "");
  let parsedBase: URL;
  try {
    parsedBase = new URL(baseUrl);
  } catch {
    throw new ConfigError(`BASE_URL must be an absolute http(s) URL, got "${baseUrl}".`);
  }
  if (parsedBase.protocol !== "http:" && parsedBase.protocol !== "https:") {
    throw new ConfigError(`BASE_URL must use http or https, got "${baseUrl}".`);
  }
  const smtpUrl = env.SMTP_URL || undefined;
  if (smtpUrl && !/^smtps?:\/\//.test(smtpUrl)) throw new ConfigError(`SMTP_URL must be smtp://host:port, got "${smtpUrl}".`);
  return {
    port,
    host: env.HOST || "127.0.0.1",
    dataDir,
    databaseUrl,
    baseUrl,
    secureCookies: parsedBase.protocol === "https:",
    smtpUrl,
    mailDir: path.resolve(env.MAIL_DIR || path.join(dataDir, "mail")),
    invitationTtlHours: number(env, "INVITATION_TTL_HOURS", 72, (n) => n > 0, "a positive number of hours"),
    defaultTeamLimit: number(env, "DEFAULT_TEAM_LIMIT", 3, (n) => Number.isInteger(n) && n >= 1, "a whole number ≥ 1"),
    rateLimitScale: number(env, "RATE_LIMIT_SCALE", 1, (n) => n > 0, "a positive number"),
    sessionIdleMinutes: number(env, "SESSION_IDLE_MINUTES", 120, (n) => n > 0, "a positive number of minutes"),
    sessionAbsoluteHours: number(env, "SESSION_ABSOLUTE_HOURS", 24 * 7, (n) => n > 0, "a positive number of hours"),
    trustProxy: env.TRUST_PROXY || undefined,
    logLevel: env.LOG_LEVEL || "info",
  };
}
