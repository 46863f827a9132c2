// The demonstration CA, loaded (or created) once on first use and shared by every request.
// Where it is kept follows the database: on SQLite, files under DATA_DIR/ca (certs/store.ts); on
// PostgreSQL, one row every server loads (certs/ca-table.ts), so that several servers behind one
// load balancer sign with the same CA.
import { DemoCa } from "../certs/index.js";
import { loadOrCreateSharedCa } from "../certs/ca-table.js";
import { CaStoreError } from "../certs/store.js";
import type { Db } from "../db/create-db.js";
import type { Sealer } from "../sealer.js";

export interface CaProvider {
  get(): Promise<DemoCa>;
}

/**
 * With the master key's sealer, the CA's private keys are sealed at rest (certs/ca.ts). Given a
 * PostgreSQL `db`, the CA is the database's (the sealer is then required) and `dir` is only read,
 * for a CA this server kept there before.
 */
export function caProvider(dir: string, sealer?: Sealer, db?: Db): CaProvider {
  const load = (): Promise<DemoCa> => {
    if (db?.engine !== "postgres") return DemoCa.loadOrCreate(dir, sealer);
    if (!sealer) return Promise.reject(new CaStoreError("The demonstration CA in the database needs the master key."));
    return loadOrCreateSharedCa(db, sealer, dir);
  };
  let loading: Promise<DemoCa> | undefined;
  return {
    get() {
      loading ??= load().catch((error: unknown) => {
        loading = undefined; // a failed start may be retried
        throw error;
      });
      return loading;
    },
  };
}
