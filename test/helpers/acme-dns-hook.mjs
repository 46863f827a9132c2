// The dns-01 hook certbot and lego run (test/helpers/acme-clients.ts hands it to them): it runs
// in the client's process tree, not the test's, so it asks the test's loopback DNS server to
// publish or withdraw the TXT record through the control endpoint named by ACME_DNS_HOOK_URL.
//
//   certbot --manual-auth-hook "node acme-dns-hook.mjs certbot-auth"      (CERTBOT_DOMAIN, CERTBOT_VALIDATION)
//   certbot --manual-cleanup-hook "node acme-dns-hook.mjs certbot-cleanup"
//   lego --dns exec, EXEC_PATH → a wrapper calling "node acme-dns-hook.mjs present|cleanup <fqdn> <value>"
const [mode, ...rest] = process.argv.slice(2);
let action;
let name;
let value;
if (mode === "certbot-auth" || mode === "certbot-cleanup") {
  action = mode === "certbot-auth" ? "present" : "cleanup";
  // CERTBOT_DOMAIN is the name without "*." for a wildcard, as the record's name wants it.
  name = `_acme-challenge.${process.env.CERTBOT_DOMAIN}`;
  value = process.env.CERTBOT_VALIDATION;
} else {
  action = mode;
  [name, value] = rest;
}
const url = process.env.ACME_DNS_HOOK_URL;
if (!url || (action !== "present" && action !== "cleanup") || !name || !value) {
  console.error(`acme-dns-hook: cannot tell what to do from ${JSON.stringify(process.argv.slice(2))} (ACME_DNS_HOOK_URL ${url ? "set" : "unset"})`);
  process.exit(2);
}
const response = await fetch(url, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ action, name, value }),
});
if (!response.ok) {
  console.error(`acme-dns-hook: the test's DNS control answered ${response.status} ${await response.text()}`);
  process.exit(1);
}
