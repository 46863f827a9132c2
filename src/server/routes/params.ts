// Path parameter objects several route modules share. The API's shapes (bodies and answers) are
// in src/shared/schemas/, which the dashboard reads too; these concern only the server's routing.
import { Type } from "typebox";
import { Id } from "../../shared/schemas/common.js";

export const TeamIdParams = Type.Object({ teamId: Id }, { additionalProperties: false });
export const OrderParams = Type.Object({ teamId: Id, orderId: Id }, { additionalProperties: false });
export const ApiKeyParams = Type.Object({ teamId: Id, apiKeyId: Id }, { additionalProperties: false });
