// The demonstration CA, loaded (or created) once on first use and shared by every request.
import { DemoCa } from "../certs/index.js";
import type { Sealer } from "../sealer.js";

export interface CaProvider {
  get(): Promise<DemoCa>;
}

/** With the master key's sealer, the CA's private keys are sealed at rest (certs/ca.ts). */
export function caProvider(dir: string, sealer?: Sealer): CaProvider {
  let loading: Promise<DemoCa> | undefined;
  return {
    get() {
      loading ??= DemoCa.loadOrCreate(dir, sealer).catch((error: unknown) => {
        loading = undefined; // a failed start may be retried
        throw error;
      });
      return loading;
    },
  };
}
