// The small HTML pages a subscriber sees after clicking a link in an e-mail (confirm, unsubscribe).
// Everything interpolated is escaped; the unsubscribe page's form posts back to the same signed URL.

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );

export function page(title: string, body: string, status = 200): Response {
  return new Response(
    `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
      `<title>${
        escapeHtml(title)
      }</title><body style="font-family:sans-serif;max-width:36rem;margin:3rem auto">` +
      `<h1>${escapeHtml(title)}</h1>${body}</body></html>`,
    {
      status,
      headers: {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-store",
        "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
        "referrer-policy": "no-referrer",
      },
    },
  );
}

export const paragraph = (text: string) => `<p>${escapeHtml(text)}</p>`;

export function unsubscribeForm(action: string): string {
  return `<p>Click the button to stop receiving these e-mails.</p>` +
    `<form method="post" action="${escapeHtml(action)}">` +
    `<input type="hidden" name="List-Unsubscribe" value="One-Click">` +
    `<button type="submit">Unsubscribe</button></form>`;
}

/** A 1x1 transparent GIF, the open pixel's answer. */
export const PIXEL = Uint8Array.from(
  atob("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"),
  (char) => char.charCodeAt(0),
);
