import type { InvitationStatus, PersonDto } from "../../../shared/schemas";

/** Whoever sent an invitation, in words: "Name (e-mail)" (a team's list and a link's preview both send both). */
export function inviterName(invitedBy: Pick<PersonDto, "name" | "email">): string {
  return invitedBy.name ? `${invitedBy.name} (${invitedBy.email})` : invitedBy.email;
}

export const STATUS_LABELS: Record<InvitationStatus, string> = {
  pending: "Pending",
  accepted: "Accepted",
  declined: "Declined",
  revoked: "Revoked",
  expired: "Expired",
};

export const STATUS_TONES: Record<InvitationStatus, "amber" | "green" | "neutral" | "red"> = {
  pending: "amber",
  accepted: "green",
  declined: "neutral",
  revoked: "red",
  expired: "neutral",
};

/**
 * Why a link can no longer be used, from a 410 code or an invitation's status. `signedIn`: the
 * person reading is signed in, so "log in" is not the next step for a used link.
 */
export function unusableReason(codeOrStatus: string, signedIn = false): { title: string; text: string } | undefined {
  switch (codeOrStatus) {
    case "invitation_expired":
    case "expired":
      return { title: "This invitation has expired", text: "Invitations are valid for a limited time. Ask the person who invited you to send it again." };
    case "invitation_revoked":
    case "revoked":
      return { title: "This invitation was withdrawn", text: "The team revoked it. Ask them for a new invitation if you still need access." };
    case "invitation_used":
    case "accepted":
      return signedIn
        ? {
            title: "This invitation has already been used",
            text: "It was accepted already. If you accepted it, the team is in your team switcher; if someone else did, ask the team for a new invitation.",
          }
        : { title: "This invitation has already been used", text: "It was accepted already. If that was you, log in to work with the team." };
    case "invitation_declined":
    case "declined":
      return { title: "This invitation was declined", text: "Ask the team for a new invitation if you changed your mind." };
    default:
      return undefined;
  }
}
