// Real ACME clients against a directory: Debian's certbot and lego run as child processes, each
// in config, work, log and account directories inside one temporary directory (removed by
// close()), so a run never reads or writes the machine's /etc/letsencrypt or ~/.lego.
//
// dns-01: the hooks run in the client's process tree, so they cannot call the test's TestDns
// directly; this helper starts a loopback HTTP control endpoint that the hook script
// (acme-dns-hook.mjs) posts to, and publishes the TXT values there. Every child is spawned
// asynchronously: the test process must keep answering DNS while a client waits on the CA.
import { spawn } from "node:child_process";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { existsSync } from "node:fs";
import type { TestDns } from "./dns-server.js";

const HOOK = join(dirname(fileURLToPath(import.meta.url)), "acme-dns-hook.mjs");
export const CERTBOT = process.env.CERTBOT_PATH ?? "/usr/bin/certbot";
export const LEGO = process.env.LEGO_PATH ?? "/usr/bin/lego";

/** Which of the two clients this machine lacks (CI installs both with apt). */
export function missingAcmeClients(): string[] {
  return [CERTBOT, LEGO].filter((file) => !existsSync(file));
}

export interface AcmeTarget {
  directoryUrl: string;
  /** The External Account Binding of an ACME credential: key id and base64url HMAC key. */
  eab: { keyId: string; hmacKey: string };
  /** The DNS server the CA resolves names and looks up TXT records through. */
  dns: TestDns;
  /** The port the CA fetches http-01 from (certdesk's DCV_HTTP_PORT): certbot --standalone listens on it. */
  httpPort: number;
  /** Only for an https:// directory (pebble): the PEM file that signs its TLS certificate. */
  tlsCa?: string;
}

/** What a client wrote: PEM files of the leaf, the chain it was given, and the leaf's private key. */
export interface Issued {
  cert: string;
  chain: string;
  key: string;
}

export interface ClientRun {
  stdout: string;
  stderr: string;
}

export interface AcmeClients {
  dir: string;
  /** certbot certonly --standalone on the target's http-01 port. */
  certbotHttp01(domains: string[]): Promise<Issued>;
  /** certbot certonly --manual with the dns-01 hooks. */
  certbotDns01(domains: string[]): Promise<Issued>;
  /** certbot revoke, signed by the account key, or by the certificate's key with `keyPath`. */
  certbotRevoke(certPath: string, options?: { reason?: string; keyPath?: string }): Promise<ClientRun>;
  /** lego run with --dns exec and the hook. */
  legoDns01(domains: string[]): Promise<Issued>;
  /** lego run with its own HTTP server on the target's http-01 port. */
  legoHttp01(domains: string[]): Promise<Issued>;
  /** lego revoke of the certificate it holds for `domains[0]`, signed by its account key. */
  legoRevoke(domains: string[], reason?: number): Promise<ClientRun>;
  /** The TXT values the hooks have published and not yet withdrawn, by record name. */
  published: Map<string, string[]>;
  close(): Promise<void>;
}

export const ACME_EMAIL = "ops@example.com";

export async function openAcmeClients(target: AcmeTarget): Promise<AcmeClients> {
  const dir = await mkdtemp(join(tmpdir(), "certdesk-acme-clients-"));
  const published = new Map<string, string[]>();
  const control = await startDnsControl(target.dns, published);
  const hookEnv = { ACME_DNS_HOOK_URL: control.url };
  const certbotDirs = ["--config-dir", join(dir, "certbot/config"), "--work-dir", join(dir, "certbot/work"), "--logs-dir", join(dir, "certbot/logs")];
  const certbotServer = ["--server", target.directoryUrl, ...(target.tlsCa ? ["--no-verify-ssl"] : [])];
  // One executable for both clients: lego's exec provider runs EXEC_PATH itself (no shell, no
  // arguments of ours), and certbot looks a hook's first word up as a program.
  const hookCommand = join(dir, "dns-hook");
  await writeFile(hookCommand, `#!/bin/sh\nexec ${shellQuote(process.execPath)} ${shellQuote(HOOK)} "$@"\n`);
  await chmod(hookCommand, 0o755);
  let certNames = 0;

  const certbotLog = async () => tail(await readFile(join(dir, "certbot/logs/letsencrypt.log"), "utf8").catch(() => ""), 6000);

  async function certbotCertonly(domains: string[], challengeArgs: string[]): Promise<Issued> {
    const certName = `cert-${++certNames}`;
    await runClient(
      CERTBOT,
      [
        "certonly", "--non-interactive", "--agree-tos", "-m", ACME_EMAIL, ...certbotServer, ...certbotDirs,
        "--eab-kid", target.eab.keyId, "--eab-hmac-key", target.eab.hmacKey,
        "--cert-name", certName, ...domains.flatMap((d) => ["-d", d]), ...challengeArgs,
      ],
      hookEnv,
      certbotLog,
    );
    const live = join(dir, "certbot/config/live", certName);
    return { cert: join(live, "cert.pem"), chain: join(live, "chain.pem"), key: join(live, "privkey.pem") };
  }

  const legoBase = () => [
    "--server", target.directoryUrl, "--accept-tos", "--email", ACME_EMAIL, "--path", join(dir, "lego"),
    "--eab", "--kid", target.eab.keyId, "--hmac", target.eab.hmacKey,
  ];
  const legoEnv = {
    ...hookEnv,
    EXEC_PATH: hookCommand,
    // lego sleeps one polling interval before its first look at the record (default 2 s).
    EXEC_POLLING_INTERVAL: "1",
    EXEC_PROPAGATION_TIMEOUT: "30",
    ...(target.tlsCa ? { LEGO_CA_CERTIFICATES: target.tlsCa } : {}),
  };
  async function legoRun(domains: string[], challengeArgs: string[]): Promise<Issued> {
    await runClient(LEGO, [...legoBase(), ...domains.flatMap((d) => ["--domains", d]), ...challengeArgs, "run"], legoEnv);
    // lego names the files after the first domain, "*." written as "_.".
    const base = join(dir, "lego/certificates", domains[0]!.replace(/^\*\./, "_."));
    const bundle = await readFile(`${base}.crt`, "utf8");
    // The .crt is the leaf followed by the chain (lego bundles unless --no-bundle).
    const leaf = bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/)![0];
    await writeFile(`${base}.leaf.pem`, leaf);
    return { cert: `${base}.leaf.pem`, chain: `${base}.issuer.crt`, key: `${base}.key` };
  }

  return {
    dir,
    published,
    certbotHttp01: (domains) =>
      certbotCertonly(domains, ["--standalone", "--preferred-challenges", "http", "--http-01-address", "127.0.0.1", "--http-01-port", String(target.httpPort)]),
    certbotDns01: (domains) =>
      certbotCertonly(domains, [
        "--manual", "--preferred-challenges", "dns",
        "--manual-auth-hook", `${hookCommand} certbot-auth`,
        "--manual-cleanup-hook", `${hookCommand} certbot-cleanup`,
      ]),
    certbotRevoke: (certPath, options = {}) =>
      runClient(
        CERTBOT,
        [
          "revoke", "--non-interactive", ...certbotServer, ...certbotDirs, "--cert-path", certPath,
          "--reason", options.reason ?? "keycompromise", "--no-delete-after-revoke",
          ...(options.keyPath ? ["--key-path", options.keyPath] : []),
        ],
        hookEnv,
        certbotLog,
      ),
    legoDns01: (domains) => legoRun(domains, ["--dns", "exec", "--dns.resolvers", target.dns.server, "--dns.disable-cp"]),
    legoHttp01: (domains) => legoRun(domains, ["--http", "--http.port", `127.0.0.1:${target.httpPort}`]),
    // lego wants the EAB flags again before it finds the account (by --email under --path);
    // --keep leaves the files for the test's checks.
    legoRevoke: (domains, reason = 1) =>
      runClient(LEGO, [...legoBase(), ...domains.flatMap((d) => ["--domains", d]), "revoke", "--keep", "--reason", String(reason)], legoEnv),
    async close() {
      await control.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The loopback endpoint the hook script posts {action, name, value} to; keeps several values per name (a name and its wildcard). */
async function startDnsControl(dns: TestDns, published: Map<string, string[]>): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      let parsed: { action?: string; name?: string; value?: string };
      try {
        parsed = JSON.parse(body) as typeof parsed;
      } catch {
        parsed = {};
      }
      const { action, name, value } = parsed;
      if (request.method !== "POST" || (action !== "present" && action !== "cleanup") || !name || !value) {
        response.writeHead(400).end("want POST {action: present|cleanup, name, value}");
        return;
      }
      const key = name.toLowerCase().replace(/\.$/, "");
      const values = (published.get(key) ?? []).filter((v) => v !== value);
      if (action === "present") values.push(value);
      if (values.length) {
        published.set(key, values);
        dns.set(key, "TXT", values);
      } else {
        published.delete(key);
        dns.remove(key);
      }
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/txt`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const CLIENT_TIMEOUT_MS = 90_000;

/** Runs a client to its end; a non-zero exit throws with what it printed (and its log, if it keeps one). */
function runClient(command: string, args: string[], env: Record<string, string>, extraLog?: () => Promise<string>): Promise<ClientRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), CLIENT_TIMEOUT_MS);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", async (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve({ stdout, stderr });
      const name = command.split("/").pop();
      const verb = args.find((arg) => ["certonly", "revoke", "run"].includes(arg));
      const log = extraLog ? `\n--- ${name}'s log (end) ---\n${await extraLog()}` : "";
      reject(new Error(`${name} ${verb} exited ${signal ?? code}\n--- stdout ---\n${tail(stdout, 3000)}\n--- stderr ---\n${tail(stderr, 4000)}${log}`));
    });
  });
}

function tail(text: string, chars: number): string {
  return text.length > chars ? `…${text.slice(-chars)}` : text;
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
