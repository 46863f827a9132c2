// Checking a form in the browser before it is sent: after the errors render, the keyboard goes to
// the first one, so a person (or a screen reader) lands on what needs fixing.

/** Focuses the first invalid control in `root` once the errors are on screen; a group's first control for a fieldset. */
export function focusFirstError(root: HTMLElement | null): void {
  requestAnimationFrame(() => {
    const invalid = root?.querySelector<HTMLElement>('[aria-invalid="true"]');
    if (!invalid) return;
    const target = invalid.matches("fieldset") ? invalid.querySelector<HTMLElement>("input, select, textarea, button") : invalid;
    target?.focus();
  });
}

/** The shape of an e-mail address, as far as a browser can tell: something@something.tld, no spaces. */
export function looksLikeEmail(value: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value.trim());
}

/** SPEC's shortest password. */
export const MIN_PASSWORD_LENGTH = 10;
