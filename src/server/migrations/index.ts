// The ordered list of migrations, bundled in code so the compiled server and the tests run the same set.
import { Migrator } from "kysely";
import type { Migration, MigrationResultSet } from "kysely";
import type { Db } from "../db/create-db.js";
import * as m0001 from "./0001_teams_core.js";
import * as m0002 from "./0002_audit_append_only.js";
import * as m0003 from "./0003_certificate_account.js";
import * as m0004 from "./0004_outbox_failures.js";
import * as m0005 from "./0005_expiry_indexes.js";
import * as m0006 from "./0006_secrets_at_rest.js";
import * as m0007 from "./0007_api_keys.js";
import * as m0008 from "./0008_domain_validation.js";
import * as m0009 from "./0009_certificate_rules.js";
import * as m0010 from "./0010_account_settings.js";
import * as m0011 from "./0011_member_count.js";
import * as m0012 from "./0012_order_search.js";
import * as m0013 from "./0013_acme.js";

export const migrations: Record<string, Migration> = {
  "0001_teams_core": m0001,
  "0002_audit_append_only": m0002,
  "0003_certificate_account": m0003,
  "0004_outbox_failures": m0004,
  "0005_expiry_indexes": m0005,
  "0006_secrets_at_rest": m0006,
  "0007_api_keys": m0007,
  "0008_domain_validation": m0008,
  "0009_certificate_rules": m0009,
  "0010_account_settings": m0010,
  "0011_member_count": m0011,
  "0012_order_search": m0012,
  "0013_acme": m0013,
};

export async function migrateToLatest(db: Db): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db: db.kysely,
    provider: { getMigrations: async () => migrations },
  });
  const result = await migrator.migrateToLatest();
  if (result.error) throw result.error;
  return result;
}
