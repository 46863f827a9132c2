// The seam where a real payment processor plugs in. certdesk has none: the default gateway
// records every charge and refund as succeeded and hands back a reference for the ledger.
import { randomBytes } from "node:crypto";

export interface ChargeRequest {
  teamId: string;
  orderId: string;
  billingProfileId: string;
  amountMinor: number;
  currency: string;
}

export interface PaymentGateway {
  charge(request: ChargeRequest): Promise<{ reference: string }>;
  refund(request: ChargeRequest & { chargeReference: string }): Promise<{ reference: string }>;
}

export const recordOnlyGateway: PaymentGateway = {
  async charge() {
    return { reference: `ch_${randomBytes(12).toString("hex")}` };
  },
  async refund() {
    return { reference: `re_${randomBytes(12).toString("hex")}` };
  },
};
