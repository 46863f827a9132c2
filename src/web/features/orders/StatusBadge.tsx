import type { OrderStatus } from "../../../shared/schemas";
import { Badge } from "../../ui/Badge";
import { STATUS_LABELS, STATUS_TONES } from "./words";

export function StatusBadge({ status }: { status: OrderStatus }) {
  return <Badge tone={STATUS_TONES[status]}>{STATUS_LABELS[status]}</Badge>;
}
