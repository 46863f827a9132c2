import { useQuery } from "@tanstack/react-query";
import { settingsApi } from "../api/endpoints";

/** The server's settings the dashboard shows (GET /api/settings); they change only with a restart. */
export function useServerSettings() {
  return useQuery({ queryKey: ["settings"], queryFn: () => settingsApi.get(), staleTime: Infinity });
}

/** 72 → "72 hours", 0.5 → "30 minutes", 168 → "7 days": a lifetime as a person would say it. */
export function durationInWords(hours: number): string {
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  if (hours < 1) return unit(Math.max(1, Math.round(hours * 60)), "minute");
  // SPEC speaks of "72 hours": hours up to three days, whole days beyond.
  if (hours > 72 && hours % 24 === 0) return unit(hours / 24, "day");
  return unit(Math.round(hours * 10) / 10, "hour");
}
