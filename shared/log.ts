// Structured JSON logs, one object per line, with personal data and secrets masked before anything
// leaves the process.

const MASKS: Array<[RegExp, (match: string) => string]> = [
  // JWTs (three base64url segments starting with a JSON header) and bearer/API tokens.
  [/eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/g, () => "[jwt]"],
  [/\b(Bearer|Basic)\s+[\w.~+/=-]{8,}/gi, (m) => `${m.split(/\s+/)[0]} [token]`],
  [/\b(sk|pk|rk|sb_secret|sb_publishable|whsec|xoxb)_[\w-]{8,}/gi, () => "[token]"],
  [
    /\b((?:access_token|refresh_token|token|key|apikey|api_key|secret|password|passwd|signature)[=:])[^&\s"',;]+/gi,
    (m) => m.replace(/([=:]).*/, "$1[token]"),
  ],
  // E-mail addresses keep their domain, which is useful for debugging and rarely personal.
  [/[\w.+-]+@([\w-]+\.)+[\w-]{2,}/g, (m) => `***@${m.split("@")[1]}`],
  // International phone numbers (E.164) before the digit-run rules below claim their digits.
  [/\+\d{7,15}\b/g, (m) => `[phone:${m.slice(-2)}]`],
  // Meter numbers (Nigerian prepaid meters are 11-13 digits) and other long digit runs.
  [/(?<![\w-])\d{11,13}(?![\w-])/g, (m) => `[meter:${m.slice(-3)}]`],
  // Card-like numbers: 13-19 digits, optionally grouped by spaces or dashes.
  [/(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])/g, (m) => `[card:${m.replace(/\D/g, "").slice(-4)}]`],
  // North American phone numbers written locally: (713) 555-0100, 713.555.0100, 7135550100.
  [/(?<![\w-])(?:\+?1[ .-]?)?\(?\d{3}\)?[ .-]?\d{3}[ .-]?\d{4}(?![\w-])/g, (m) => `[phone:${m.slice(-2)}]`],
];

/** Masks e-mails, phones, meter and card-like numbers, and tokens inside free text. */
export function maskText(text: string): string {
  let masked = text;
  for (const [pattern, replace] of MASKS) masked = masked.replace(pattern, replace);
  return masked;
}

const SECRET_KEYS = /^(authorization|password|secret|token|apikey|api_key|cookie|set-cookie|signature)$/i;

/** Deep copy of a log payload with every string masked and secret-named fields dropped. */
export function maskValue(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return maskText(value);
  if (depth > 6 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => maskValue(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    out[key] = SECRET_KEYS.test(key) ? "[redacted]" : maskValue(item, depth + 1);
  }
  return out;
}

export type LogLevel = "debug" | "info" | "warn" | "error";

export function log(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({
    level,
    time: new Date().toISOString(),
    msg,
    ...(maskValue(fields) as object),
  });
  if (level === "error" || level === "warn") console.error(line);
  else console.log(line);
}
