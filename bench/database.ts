// Where the bench writes: SQLite in its DATA_DIR, or a fresh database on BENCH_DATABASE's
// PostgreSQL server (named certdesk_bench_…), dropped at the end.
import path from "node:path";
import pg from "pg";

export interface BenchDatabase {
  url: string;
  engine: "SQLite" | "PostgreSQL";
  drop(): Promise<void>;
}

export async function benchDatabase(dataDir: string): Promise<BenchDatabase> {
  const server = process.env.BENCH_DATABASE;
  if (!server) return { url: `sqlite:${path.join(dataDir, "certdesk.db")}`, engine: "SQLite", drop: async () => {} };
  const name = `certdesk_bench_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    engine: "PostgreSQL",
    async drop() {
      const again = new pg.Client({ connectionString: server });
      await again.connect();
      await again.query(`drop database if exists ${name} with (force)`);
      await again.end();
    },
  };
}
