import { useId, useRef, useState } from "react";
import { isApiError } from "../../api/client";
import { documentsApi } from "../../api/endpoints";
import type { DocumentMediaType, OrderDto as Order } from "../../../shared/schemas";
import { useCan } from "../../app/Can";
import { Alert, ErrorAlert } from "../../ui/Alert";
import { Button } from "../../ui/Button";
import { EmptyState } from "../../ui/EmptyState";
import { formatBytes, formatDateTime } from "../../ui/format";
import { Card } from "../../ui/Page";
import { Loading } from "../../ui/Spinner";
import { useToast } from "../../ui/Toast";
import { useDocuments, useUploadDocument } from "./hooks";

/** The server's limit; it decides the type from the file's first bytes, not its name. */
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

/** "The file is 11.0 MB; the limit is 10 MB." (MiB, as the server counts them.) */
export function tooLarge(bytes: number): string {
  return `The file is ${(bytes / 1024 / 1024).toFixed(1)} MB; the limit is ${MAX_DOCUMENT_BYTES / 1024 / 1024} MB.`;
}
const ACCEPT = ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg";

const TYPE_LABELS: Record<DocumentMediaType, string> = {
  "application/pdf": "PDF",
  "image/png": "PNG",
  "image/jpeg": "JPEG",
};

/** Validation documents of an order (registration extracts, letters…): list, download, upload. */
export function DocumentsCard({ teamId, order }: { teamId: string; order: Order }) {
  const documents = useDocuments(teamId, order.id);
  const canUpload = useCan("validation.manage") && order.status !== "refunded";
  const rows = documents.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Card title="Documents" description="Papers for organisation checks: PDF, PNG or JPEG, up to 10 MB each.">
      {canUpload ? <UploadForm teamId={teamId} orderId={order.id} /> : null}
      {documents.isPending ? (
        <Loading label="Loading documents…" />
      ) : documents.error && !rows.length ? (
        <ErrorAlert error={documents.error} action={<Button onClick={() => documents.refetch()}>Try again</Button>} />
      ) : rows.length === 0 ? (
        <EmptyState title="No documents yet">{canUpload ? "Upload one above when a validator asks for it." : null}</EmptyState>
      ) : (
        <table className="table responsive-table" aria-label="Documents">
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Type</th>
              <th scope="col" className="num">
                Size
              </th>
              <th scope="col">Uploaded</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((doc) => (
              <tr key={doc.id} data-testid="document-row">
                <td data-label="File" className="cell-wrap">
                  <a href={documentsApi.downloadUrl(teamId, order.id, doc.id)} download={doc.filename} className="strong">
                    {doc.filename}
                  </a>
                </td>
                <td data-label="Type">{TYPE_LABELS[doc.mediaType] ?? doc.mediaType}</td>
                <td data-label="Size" className="num">
                  {formatBytes(doc.size)}
                </td>
                <td data-label="Uploaded">
                  {doc.uploadedBy.email}
                  <br />
                  <time dateTime={doc.createdAt} className="muted small">
                    {formatDateTime(doc.createdAt)}
                  </time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {documents.error && rows.length ? <ErrorAlert error={documents.error} /> : null}
      {documents.hasNextPage ? (
        <div className="load-more">
          <Button onClick={() => documents.fetchNextPage()} pending={documents.isFetchingNextPage}>
            Load more
          </Button>
        </div>
      ) : null}
    </Card>
  );
}

function UploadForm({ teamId, orderId }: { teamId: string; orderId: string }) {
  const upload = useUploadDocument(teamId, orderId);
  const toast = useToast();
  const inputId = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [localError, setLocalError] = useState<string | null>(null);

  const choose = (chosen: File | null) => {
    upload.reset();
    setFile(chosen);
    setLocalError(chosen && chosen.size > MAX_DOCUMENT_BYTES ? tooLarge(chosen.size) : null);
  };

  const submit = () => {
    if (!file || localError) return;
    upload.mutate(file, {
      onSuccess: (doc) => {
        toast.success(`Uploaded ${doc.filename}.`);
        setFile(null);
        if (inputRef.current) inputRef.current.value = "";
      },
    });
  };

  const percent = Math.round(upload.progress * 100);
  return (
    <form
      className="upload-form"
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <div className="field">
        <label htmlFor={inputId}>Upload a document</label>
        <input
          ref={inputRef}
          id={inputId}
          type="file"
          accept={ACCEPT}
          disabled={upload.isPending}
          onChange={(e) => choose(e.target.files?.[0] ?? null)}
          aria-describedby={`${inputId}-hint`}
          aria-invalid={localError ? true : undefined}
        />
        <p className="field-hint" id={`${inputId}-hint`}>
          PDF, PNG or JPEG, up to 10 MB. The type is checked from the file's content.
        </p>
      </div>
      {upload.isPending ? (
        <div className="upload-progress" role="status">
          <progress max={100} value={percent} aria-label={`Uploading ${file?.name ?? "document"}`} />
          <span className="small">{percent < 100 ? `${percent}%` : "Checking…"}</span>
          <Button size="sm" variant="ghost" onClick={() => upload.cancel()}>
            Cancel
          </Button>
        </div>
      ) : (
        <div className="button-row">
          <Button type="submit" variant="primary" size="sm" disabled={!file || !!localError}>
            Upload
          </Button>
        </div>
      )}
      {localError ? <Alert tone="error">{localError}</Alert> : null}
      {upload.error && isApiError(upload.error, "payload_too_large") && file ? (
        <Alert tone="error">{tooLarge(file.size)}</Alert>
      ) : upload.error ? (
        <ErrorAlert error={upload.error} />
      ) : null}
    </form>
  );
}
