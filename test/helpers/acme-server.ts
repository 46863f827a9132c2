// A test app listening on loopback at its own BASE_URL, as ACME clients need: they follow the URLs
// the directory hands out, so the server must be reachable where BASE_URL says.
import net from "node:net";
import type { Engine } from "../../src/server/db/create-db.js";
import { createTestApp } from "./app.js";
import type { SignedIn, TestApp } from "./app.js";
import { createAcmeCredential } from "./acme-credentials.js";
import type { CreatedAcmeCredential } from "./acme-credentials.js";
import { addBillingProfile } from "./fixtures.js";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface AcmeTestServer {
  h: TestApp;
  baseUrl: string;
  directoryUrl: string;
  owner: SignedIn;
  teamId: string;
  billingProfileId: string;
  credential: CreatedAcmeCredential;
  close(): Promise<void>;
}

export async function startAcmeTestServer(engine: Engine, env: Record<string, string> = {}): Promise<AcmeTestServer> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const h = await createTestApp(engine, { BASE_URL: baseUrl, ...env });
  await h.app.listen({ port, host: "127.0.0.1" });
  const owner = await h.signUp("ACME Owner");
  const teamId = owner.defaultTeamId;
  const billingProfileId = await addBillingProfile(owner.client, teamId);
  const credential = await createAcmeCredential(owner.client, teamId, billingProfileId);
  return { h, baseUrl, directoryUrl: `${baseUrl}/acme/directory`, owner, teamId, billingProfileId, credential, close: () => h.close() };
}
