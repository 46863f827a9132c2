// Team API keys as tests use them (SPEC rule 13, API.md "Machine access"): created through the API
// like a user creates them, and a client that sends requests as the key — bearer only, no cookie,
// no CSRF header — the way a script calls certdesk.
import { Client } from "./app.js";
import type { TestApp } from "./app.js";

/** A client that authenticates with a bearer key only (no cookie, no CSRF header). */
export function keyClient(h: TestApp, secret: string): Client {
  const client = new Client(h.app);
  client.csrf = false;
  return withBearer(client, secret);
}

/**
 * A client sending a person's session cookie (and CSRF header) and a bearer key on every call: with
 * an Authorization header the cookie must be ignored, so the key alone decides (SECURITY 33).
 */
export function keyBesideCookie(h: TestApp, person: Client, secret: string): Client {
  const client = new Client(h.app);
  client.cookie = person.cookie;
  return withBearer(client, secret);
}

function withBearer(client: Client, secret: string): Client {
  const request = client.request.bind(client);
  client.request = (method, url, body, headers = {}) => request(method, url, body, { authorization: `Bearer ${secret}`, ...headers });
  return client;
}

export interface CreatedKey {
  id: string;
  secret: string;
}

/** A key of `teamId` holding `permissions`, created by `creator` (who must hold automation.manage and them). */
export async function createApiKey(creator: Client, teamId: string, permissions: readonly string[], name = "test key"): Promise<CreatedKey> {
  const response = await creator.post(`/api/teams/${teamId}/api-keys`, { name, permissions: [...permissions] });
  if (response.statusCode !== 201) throw new Error(`API key creation failed: ${response.statusCode} ${response.body}`);
  const { apiKey, secret } = response.json() as { apiKey: { id: string }; secret: string };
  return { id: apiKey.id, secret };
}
