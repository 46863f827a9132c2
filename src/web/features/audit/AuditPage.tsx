import { useMemo } from "react";
import { Link, useSearchParams } from "react-router";
import type { AuditFilter, AuditItemDto as AuditItem } from "../../../shared/schemas";
import { auditApi } from "../../api/endpoints";
import { useActiveTeam, useTeamPath } from "../../app/session";
import { ErrorAlert } from "../../ui/Alert";
import { Button } from "../../ui/Button";
import { EmptyState } from "../../ui/EmptyState";
import { SelectField, TextField } from "../../ui/Field";
import { formatDateTime, formatRelative } from "../../ui/format";
import { Card, Page } from "../../ui/Page";
import { Loading } from "../../ui/Spinner";
import { useMembers } from "../members/hooks";
import { ACTION_GROUPS, actionInWords, describeEntry } from "./describe";
import type { Part } from "./describe";
import { useAuditLog } from "./hooks";

/** A day picked in the date inputs (local time) → the instant the server filters by; `to` covers the whole day. */
function dayStart(day: string, plusDays = 0): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return undefined;
  return new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + plusDays).toISOString();
}

/** The filter lives in the address (?actor=&action=&from=&to=), so a filtered log can be linked and reloaded. */
function useAuditFilter() {
  const [params, setParams] = useSearchParams();
  const raw = { actor: params.get("actor") ?? "", action: params.get("action") ?? "", from: params.get("from") ?? "", to: params.get("to") ?? "" };
  const filter: AuditFilter = useMemo(
    () => ({
      actor: raw.actor || undefined,
      action: raw.action || undefined,
      from: dayStart(raw.from),
      to: dayStart(raw.to, 1),
    }),
    [raw.actor, raw.action, raw.from, raw.to],
  );
  const set = (key: keyof typeof raw, value: string) =>
    setParams(
      (previous) => {
        const next = new URLSearchParams(previous);
        if (value) next.set(key, value);
        else next.delete(key);
        return next;
      },
      { replace: true },
    );
  const clear = () => setParams(new URLSearchParams(), { replace: true });
  return { raw, filter, set, clear, active: Object.values(raw).some(Boolean) };
}

function Sentence({ parts }: { parts: Part[] }) {
  const to = useTeamPath();
  return (
    <>
      {parts.map((part, index) =>
        typeof part === "string" ? (
          <span key={index}>{part}</span>
        ) : part.to.every(Boolean) ? (
          <Link key={index} to={to(...part.to)}>
            {part.text}
          </Link>
        ) : (
          <span key={index}>{part.text}</span>
        ),
      )}
    </>
  );
}

function Actor({ entry, onPick }: { entry: AuditItem; onPick: (id: string) => void }) {
  if (!entry.actor) return <span className="muted">certdesk</span>;
  const { actor } = entry;
  const who = actor.type === "user" ? actor.email : actor.type === "apiKey" ? `An API key of ${actor.email}` : `An ACME client of ${actor.email}`;
  return (
    <button type="button" className="link-button" onClick={() => onPick(actor.id)} title={`Show only what ${who} did`}>
      {who}
    </button>
  );
}

export function AuditPage() {
  const team = useActiveTeam();
  const { raw, filter, set, clear, active } = useAuditFilter();
  const audit = useAuditLog(team.id, filter);
  const members = useMembers(team.id, "", 100);
  const people = members.data?.pages.flatMap((p) => p.items) ?? [];
  const rows = audit.data?.pages.flatMap((p) => p.items) ?? [];
  const knownActor = !raw.actor || people.some((m) => m.userId === raw.actor);

  return (
    <Page
      title="Audit log"
      description={`Every change to ${team.name}, newest first. The log cannot be edited.`}
      actions={
        <>
          <a className="btn btn-secondary" href={auditApi.csvUrl(team.id, filter)} download data-testid="audit-csv">
            Download CSV
          </a>
          <Button onClick={() => audit.refetch()} pending={audit.isRefetching && !audit.isFetchingNextPage}>
            Refresh
          </Button>
        </>
      }
    >
      <Card>
        <form className="filter-bar" aria-label="Filter the audit log" onSubmit={(event) => event.preventDefault()}>
          <SelectField label="Who" value={raw.actor} onChange={(e) => set("actor", e.target.value)}>
            <option value="">Everyone</option>
            {people.map((m) => (
              <option key={m.userId} value={m.userId}>
                {m.name} ({m.email})
              </option>
            ))}
            {knownActor ? null : <option value={raw.actor}>Someone no longer in the team</option>}
          </SelectField>
          <SelectField label="Action" value={raw.action} onChange={(e) => set("action", e.target.value)}>
            <option value="">Every action</option>
            {ACTION_GROUPS.map((group) => (
              <optgroup key={group.family} label={group.label}>
                <option value={group.family}>All: {group.label.toLowerCase()}</option>
                {group.actions.map(([action, words]) => (
                  <option key={action} value={action}>
                    {words}
                  </option>
                ))}
              </optgroup>
            ))}
          </SelectField>
          <TextField label="From" type="date" value={raw.from} max={raw.to || undefined} onChange={(e) => set("from", e.target.value)} />
          <TextField label="To" type="date" value={raw.to} min={raw.from || undefined} onChange={(e) => set("to", e.target.value)} />
          {active ? (
            <Button type="button" onClick={clear}>
              Clear filters
            </Button>
          ) : null}
        </form>
        {audit.isPending ? (
          <Loading label="Loading the audit log…" />
        ) : audit.error && !rows.length ? (
          <ErrorAlert error={audit.error} action={<Button onClick={() => audit.refetch()}>Try again</Button>} />
        ) : rows.length === 0 ? (
          <EmptyState title={active ? "Nothing matches these filters" : "Nothing recorded yet"}>
            {active ? <Button onClick={clear}>Clear filters</Button> : null}
          </EmptyState>
        ) : (
          <table className="table responsive-table" aria-label="Audit log">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((entry) => (
                <tr key={entry.id} data-testid="audit-row" data-action={entry.action}>
                  <td data-label="When">
                    <time dateTime={entry.at} title={formatRelative(entry.at)}>
                      {formatDateTime(entry.at)}
                    </time>
                  </td>
                  <td data-label="Who">
                    <Actor entry={entry} onPick={(id) => set("actor", id)} />
                  </td>
                  <td data-label="What">
                    <span className="strong">{actionInWords(entry.action)}</span>
                    <br />
                    <span className="audit-sentence">
                      <Sentence parts={describeEntry(entry)} />
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {audit.hasNextPage ? (
          <div className="load-more">
            <Button onClick={() => audit.fetchNextPage()} pending={audit.isFetchingNextPage}>
              Load older entries
            </Button>
          </div>
        ) : null}
      </Card>
    </Page>
  );
}
