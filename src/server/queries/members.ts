// The member list: the Owner first, then everyone else by joining time, keyset-paginated
// on (joined_at, user_id) so that page 200 costs what page 1 does.
import { sql } from "kysely";
import { cachedRead, readKey } from "../db/read-cache.js";
import type { Executor } from "../db/transaction.js";
import type { Team } from "../db/schema.js";
import { AppError } from "../errors.js";
import { parseRoles } from "../policy/roles.js";
import type { Page } from "../../shared/schemas/common.js";
import type { MemberDto } from "../../shared/schemas/teams.js";
import { decodeCursor, encodeCursor } from "./cursor.js";

export interface ListMembersInput {
  limit: number;
  cursor?: string;
  q?: string;
}

function membersOf(executor: Executor, teamId: string) {
  return executor
    .selectFrom("memberships")
    .innerJoin("users", "users.id", "memberships.userId")
    .select(["memberships.userId", "users.email", "users.name", "memberships.roles", "memberships.joinedAt"])
    .where("memberships.teamId", "=", teamId);
}

interface MemberRow {
  userId: string;
  email: string;
  name: string;
  roles: string;
  joinedAt: string;
}

function presentMember(row: MemberRow, ownerId: string): MemberDto {
  const isOwner = row.userId === ownerId;
  return { userId: row.userId, email: row.email, name: row.name, roles: isOwner ? [] : parseRoles(row.roles), isOwner, joinedAt: row.joinedAt };
}

export async function getMember(executor: Executor, team: Pick<Team, "id" | "ownerId">, userId: string): Promise<MemberDto> {
  const row = await membersOf(executor, team.id).where("memberships.userId", "=", userId).executeTakeFirst();
  if (!row) throw new AppError("not_found", "No such member.");
  return presentMember(row, team.ownerId);
}

function likePrefix(q: string): string {
  return `${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export type MemberPage = Page<MemberDto>;

const membersKey = readKey<MemberPage, [teamId: string, ownerId: string, limit: number, cursor?: string, q?: string]>("members");

export function listMembers(executor: Executor, team: Pick<Team, "id" | "ownerId">, input: ListMembersInput): Promise<MemberPage> {
  const key = membersKey(team.id, team.ownerId, input.limit, input.cursor, input.q);
  return cachedRead(executor, key, () => readMembers(executor, team, input));
}

async function readMembers(executor: Executor, team: Pick<Team, "id" | "ownerId">, input: ListMembersInput): Promise<MemberPage> {
  const after = decodeCursor(input.cursor, 2);
  const q = input.q?.trim() ? likePrefix(input.q.trim()) : undefined;
  let query = membersOf(executor, team.id);
  if (q) {
    query = query.where((eb) =>
      eb.or([
        eb(sql`lower(${sql.ref("users.name")})`, "like", sql`${q} escape '\\'`),
        eb(sql`${sql.ref("users.email")}`, "like", sql`${q} escape '\\'`),
      ]),
    );
  }
  // The first page starts with the Owner (when the filter lets them through); later pages never repeat them.
  const owner = after ? [] : await query.where("memberships.userId", "=", team.ownerId).execute();
  let rest = query.where("memberships.userId", "!=", team.ownerId);
  if (after) {
    const [joinedAt, userId] = after as [string, string];
    // One row-value comparison, not "a > x OR (a = x AND b > y)": both engines then seek into
    // memberships_team_order_idx and read the page in index order, instead of collecting every
    // later member and sorting them (test/query-plans.test.ts).
    rest = rest.where((eb) => eb(eb.refTuple("memberships.joinedAt", "memberships.userId"), ">", eb.tuple(joinedAt, userId)));
  }
  const take = input.limit - owner.length;
  const others = await rest
    .orderBy("memberships.joinedAt")
    .orderBy("memberships.userId")
    .limit(take + 1)
    .execute();
  const hasMore = others.length > take;
  const rows = others.slice(0, take);
  // The cursor marks the last non-Owner shown. A page holding only the Owner (limit=1) starts the
  // others from the beginning: the Owner's own joining time would skip everyone who joined before
  // them, as the receiver of a transfer usually did.
  const last = rows.at(-1);
  return {
    items: [...owner, ...rows].map((row) => presentMember(row, team.ownerId)),
    nextCursor: hasMore ? encodeCursor(last ? [last.joinedAt, last.userId] : ["", ""]) : null,
  };
}
