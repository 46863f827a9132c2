import { useEffect, useState } from "react";

/** The value, once it has stopped changing for `delay` ms. */
export function useDebounced<T>(value: T, delay = 300): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), delay);
    return () => clearTimeout(timer);
  }, [value, delay]);
  return debounced;
}

/** Sets the document title while a page is shown. */
export function useTitle(title: string | undefined) {
  useEffect(() => {
    if (title) document.title = `${title} · certdesk`;
  }, [title]);
}
