// The demonstration CA, loaded (or created) once on first use and shared by every request.
import { DemoCa } from "../certs/index.js";

export interface CaProvider {
  get(): Promise<DemoCa>;
}

export function caProvider(dir: string): CaProvider {
  let loading: Promise<DemoCa> | undefined;
  return {
    get() {
      loading ??= DemoCa.loadOrCreate(dir).catch((error: unknown) => {
        loading = undefined; // a failed start may be retried
        throw error;
      });
      return loading;
    },
  };
}
