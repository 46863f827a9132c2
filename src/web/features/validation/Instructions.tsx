import type { InstructionsDto as ValidationInstructions } from "../../../shared/schemas";
import { CopyField } from "../../ui/CopyButton";

/** What the customer must do for a domain's chosen method, with copy buttons for every value. */
export function Instructions({ instructions }: { instructions: ValidationInstructions }) {
  switch (instructions.method) {
    case "email":
      return (
        <div className="instructions">
          <p>We send an approval e-mail to one of these addresses. Whoever reads it approves the request:</p>
          <ul className="approver-list">
            {instructions.approverEmails.map((address) => (
              <li key={address} className="mono">
                {address}
              </li>
            ))}
          </ul>
        </div>
      );
    case "http":
      return (
        <div className="instructions">
          <p>Serve a plain-text file at this address, over HTTP on port 80, containing exactly the value below:</p>
          <CopyField label="File URL" value={instructions.url} />
          <CopyField label="File content" value={instructions.content} />
        </div>
      );
    case "dns":
      return (
        <div className="instructions">
          <p>
            Add a DNS record of type <span className="strong">{instructions.recordType}</span> in the domain's zone:
          </p>
          <CopyField label="Record name" value={instructions.recordName} />
          <CopyField label={`${instructions.recordType} value`} value={instructions.recordValue} />
        </div>
      );
  }
}
