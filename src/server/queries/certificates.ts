// An order's current certificate as a PEM bundle: the leaf, then the chain (intermediate, root),
// which is what a web server is configured with.
import type { Executor } from "../db/transaction.js";
import { AppError } from "../errors.js";

export async function currentCertificateBundle(
  executor: Executor,
  teamId: string,
  orderId: string,
): Promise<{ pem: string; serialNumber: string; firstDomain: string }> {
  const order = await executor.selectFrom("orders").select(["id", "status"]).where("id", "=", orderId).where("teamId", "=", teamId).executeTakeFirst();
  if (!order) throw new AppError("not_found", "No such order.");
  // A refunded order's certificate is withdrawn with the money: it is not handed out any more.
  if (order.status === "refunded") throw new AppError("not_issued", "This order was refunded; its certificate is no longer available.");
  const certificate = await executor
    .selectFrom("certificates")
    .select(["certificatePem", "chainPem", "serialNumber"])
    .where("orderId", "=", orderId)
    .orderBy("id", "desc") // time-ordered ids: the newest (a reissue) is the current one
    .executeTakeFirst();
  if (order.status !== "issued" || !certificate) {
    throw new AppError("not_issued", "No certificate yet: it is issued once every domain is validated and a CSR is on file.");
  }
  const first = await executor
    .selectFrom("orderDomains")
    .select("domain")
    .where("orderId", "=", orderId)
    .orderBy("position")
    .executeTakeFirstOrThrow();
  return { pem: certificate.certificatePem + certificate.chainPem, serialNumber: certificate.serialNumber, firstDomain: first.domain };
}
