// The environment, parsed and validated once into a typed Config (API.md, "Operator command line").
// Every value is checked against what the code that uses it can carry, so that a configuration which
// passes here also works at run time (SECURITY 32): durations end within ten years (a Date holds
// about 270,000 years, but 1e12 hours already overflows it), counts stay 32-bit integers, names are
// ones the libraries accept. A refusal is one line naming the variable and its bounds in words.
import { isIP } from "node:net";
import { createSecretKey } from "node:crypto";
import type { KeyObject } from "node:crypto";
import path from "node:path";

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string;
  baseUrl: string;
  /**
   * Origins whose state-changing requests are accepted (CSRF): BASE_URL's, and while BASE_URL is
   * the default, the other loopback spellings of it (127.0.0.1, [::1]), so the address the server
   * prints works as well as localhost. An explicit BASE_URL stays the only one.
   */
  allowedOrigins: string[];
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
  /**
   * MASTER_KEY, when set: seals what a copy of the database must not reveal (master-key.ts).
   * A KeyObject, so that logging the config prints no key bytes. Unset: DATA_DIR/master.key.
   */
  masterKey: KeyObject | undefined;
  /** DCV_DNS_SERVERS: `host:port` entries for every validation lookup; undefined = the system's resolver. */
  dcvDnsServers: string[] | undefined;
  /** DCV_HTTP_PORT: the port the `http` and `http-01` fetches connect to. */
  dcvHttpPort: number;
  /** CAA_IDENTITY: the issuer domain a CAA issue/issuewild record must name (lower case). */
  caaIdentity: string;
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

/** Ten years: the longest any lifetime may be (an invitation, a session). */
const TEN_YEARS_HOURS = 10 * 365 * 24;

/** A number between min and max inclusive, whole if asked; `rule` says the same in words. */
function bounded(env: Env, name: string, fallback: number, min: number, max: number, rule: string, whole = false): number {
  return number(env, name, fallback, (n) => n >= min && n <= max && (!whole || Number.isInteger(n)), rule);
}

/** The URL with its password replaced by ***, for messages and logs: postgres://user:***@host/db. */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.password) return url;
    parsed.password = "***";
    return parsed.toString();
  } catch {
    // Not parseable: mask anything between "://user:" and "@" all the same.
    return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/:@]*:)[^@]*@/i, "$1***@");
  }
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/** What Fastify's trustProxy (proxy-addr) compiles: addresses, CIDR ranges, and its three names. */
function isProxyAddress(entry: string): boolean {
  if (entry === "loopback" || entry === "linklocal" || entry === "uniquelocal") return true;
  const [address = "", range, ...rest] = entry.split("/");
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (range === undefined) return true;
  if (/^\d{1,3}$/.test(range)) return Number(range) <= (family === 4 ? 32 : 128);
  return family === 4 && isIP(range) === 4; // a netmask such as 255.255.255.0
}

/**
 * A master key as written in MASTER_KEY or master.key: 32 bytes in unpadded base64url (43 characters),
 * canonical, so that one key has one spelling. The message never repeats the value: it is a secret.
 */
export function decodeMasterKey(text: string, source: string): KeyObject {
  const value = text.trim();
  if (!/^[A-Za-z0-9_-]{43}$/.test(value) || Buffer.from(value, "base64url").toString("base64url") !== value) {
    throw new ConfigError(
      `${source} must be 32 random bytes in base64url, 43 characters of A-Z a-z 0-9 - _ (make one with ` +
        `node -e "console.log(crypto.randomBytes(32).toString('base64url'))"); the ${value.length} characters given are not.`,
    );
  }
  return createSecretKey(Buffer.from(value, "base64url"));
}

/**
 * DCV_DNS_SERVERS as node:dns Resolver.setServers takes it: `host:port[,host:port]`, an IPv6 host
 * in brackets ([::1]:53), the port optional (53). Names are refused: resolving the resolver would
 * need a resolver.
 */
export function parseDnsServers(raw: string | undefined): string[] | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  const rule = `DCV_DNS_SERVERS must be host:port[,host:port] with IP addresses (e.g. 127.0.0.1:5353,[::1]:53), got "${raw}".`;
  return raw.split(",").map((entry) => {
    const match = /^(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+))(?::(\d{1,5}))?$/.exec(entry.trim());
    if (!match) throw new ConfigError(rule);
    const host = match[1] ?? match[2] ?? "";
    const port = match[3] === undefined ? 53 : Number(match[3]);
    if (isIP(host) === 0 || port < 1 || port > 65535) throw new ConfigError(rule);
    return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
  });
}

export function loadConfig(env: Env = process.env): Config {
  const port = number(env, "PORT", 3000, (n) => Number.isInteger(n) && n >= 0 && n < 65536, "a port number (0-65535)");
  const dataDir = path.resolve(env.DATA_DIR || "./data");
  const databaseUrl = env.DATABASE_URL || `sqlite:${path.join(dataDir, "certdesk.db")}`;
  if (!/^(sqlite:|postgres(ql)?:\/\/)/.test(databaseUrl)) {
    throw new ConfigError(`DATABASE_URL must start with sqlite: or postgres://, got "${maskUrl(databaseUrl)}".`);
  }
  // "sqlite:" alone would open a temporary database that vanishes at every restart.
  if (databaseUrl.trim() === "sqlite:") throw new ConfigError('DATABASE_URL "sqlite:" needs a file path (or :memory:), e.g. sqlite:./data/certdesk.db.');
  if (!databaseUrl.startsWith("sqlite:")) {
    try {
      new URL(databaseUrl);
    } catch {
      throw new ConfigError(`DATABASE_URL is not a valid postgres:// URL: "${maskUrl(databaseUrl)}".`);
    }
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
  // Links are BASE_URL + "/invitations/…": a query, a fragment or credentials in it would break every one.
  if (parsedBase.search || parsedBase.hash || parsedBase.username || parsedBase.password) {
    throw new ConfigError(`BASE_URL must be scheme://host[:port][/path] without query, fragment or credentials, got "${maskUrl(baseUrl)}".`);
  }
  const smtpUrl = env.SMTP_URL || undefined;
  if (smtpUrl) {
    let smtpHost = "";
    try {
      smtpHost = /^smtps?:\/\//.test(smtpUrl) ? new URL(smtpUrl).hostname : "";
    } catch {
      // reported below
    }
    if (!smtpHost) throw new ConfigError(`SMTP_URL must be smtp://host:port (or smtps://), got "${maskUrl(smtpUrl)}".`);
  }
  const trustProxy = env.TRUST_PROXY || undefined;
  if (trustProxy !== undefined && !trustProxy.split(",").every((entry) => isProxyAddress(entry.trim()))) {
    throw new ConfigError(
      `TRUST_PROXY must list the proxies' addresses, comma-separated: IPs, CIDR ranges, loopback, linklocal or uniquelocal; got "${trustProxy}".`,
    );
  }
  const dcvDnsServers = parseDnsServers(env.DCV_DNS_SERVERS);
  const caaIdentity = (env.CAA_IDENTITY || "certdesk.dev").trim().toLowerCase();
  if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(caaIdentity)) {
    throw new ConfigError(`CAA_IDENTITY must be a domain name such as certdesk.dev, got "${env.CAA_IDENTITY}".`);
  }
  const logLevel = env.LOG_LEVEL || "info";
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}; got "${logLevel}".`);
  return {
    port,
    host: env.HOST || "127.0.0.1",
    dataDir,
    databaseUrl,
    baseUrl,
    allowedOrigins: env.BASE_URL
      ? [parsedBase.origin]
      : [parsedBase.origin, `http://127.0.0.1:${port}`, `http://[::1]:${port}`],
    secureCookies: parsedBase.protocol === "https:",
    smtpUrl,
    mailDir: path.resolve(env.MAIL_DIR || path.join(dataDir, "mail")),
    // An invitation shorter than 3.6 seconds could never be accepted.
    invitationTtlHours: bounded(env, "INVITATION_TTL_HOURS", 72, 0.001, TEN_YEARS_HOURS, "a number of hours from 0.001 (3.6 seconds) to 87600 (10 years)"),
    // The same ceiling as one user's own limit (`certdesk users set-team-limit`, 1 to 10000).
    defaultTeamLimit: bounded(env, "DEFAULT_TEAM_LIMIT", 3, 1, 10_000, "a whole number from 1 to 10000", true),
    // Scaled limits round up (so never 0) and must stay below 2^31: 1,200 requests a minute × 1,000,000.
    rateLimitScale: bounded(env, "RATE_LIMIT_SCALE", 1, Number.MIN_VALUE, 1_000_000, "a positive number, at most 1,000,000"),
    // A session that ends less than a minute after its last use ends before the dashboard's next call.
    sessionIdleMinutes: bounded(env, "SESSION_IDLE_MINUTES", 120, 1, TEN_YEARS_HOURS * 60, "a number of minutes from 1 to 5256000 (10 years)"),
    sessionAbsoluteHours: bounded(
      env,
      "SESSION_ABSOLUTE_HOURS",
      24 * 7,
      1 / 60,
      TEN_YEARS_HOURS,
      "a number of hours from 1 minute (0.0167) to 87600 (10 years)",
    ),
    trustProxy,
    logLevel,
    masterKey: env.MASTER_KEY ? decodeMasterKey(env.MASTER_KEY, "MASTER_KEY") : undefined,
    dcvDnsServers,
    dcvHttpPort: number(env, "DCV_HTTP_PORT", 80, (n) => Number.isInteger(n) && n >= 1 && n < 65536, "a port number (1-65535)"),
    caaIdentity,
  };
}
