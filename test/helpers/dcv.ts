// Validating a domain for real in tests: choose `dns`, publish the challenge as the TXT record on
// the test's DNS server (TestApp.dns), and ask certdesk to check — what a customer does, in three
// steps. Tests of the flows around validation (billing, certificates, permissions) use this.
import type { LightMyRequestResponse } from "fastify";
import type { Client, TestApp } from "./app.js";

/** The step's URL: /api/teams/{team}/orders/{order}/validation/{domain}. */
export function stepUrl(teamId: string, orderId: string, domain: string): string {
  return `/api/teams/${teamId}/orders/${orderId}/validation/${encodeURIComponent(domain)}`;
}

/** Publishes the dns challenge the order shows for `domain` as its TXT record. */
export function publishDnsChallenge(h: TestApp, domain: string, order: { validation: { domain: string; instructions: { recordName?: string; recordValue?: string } | null }[] }): void {
  const step = order.validation.find((v) => v.domain === domain);
  const instructions = step?.instructions;
  if (!instructions?.recordName || !instructions.recordValue) throw new Error(`no dns instructions for ${domain}`);
  h.dns.set(instructions.recordName, "TXT", [instructions.recordValue]);
}

/** Chooses dns for `domain`, serves its TXT record and POSTs …/check; returns the check's answer. */
export async function validateByDns(h: TestApp, client: Client, teamId: string, orderId: string, domain: string): Promise<LightMyRequestResponse> {
  const url = stepUrl(teamId, orderId, domain);
  const chosen = await client.post(url, { method: "dns" });
  if (chosen.statusCode !== 200) throw new Error(`choosing dns failed: ${chosen.statusCode} ${chosen.body}`);
  publishDnsChallenge(h, domain, chosen.json().order);
  return client.post(`${url}/check`);
}
