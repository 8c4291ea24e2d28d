/**
 * Nothing secret reaches a log line or an error message: bearer and OAuth tokens, private keys, and the
 * values of secret-looking environment variables (a key file's path included) are replaced on the way out.
 * Applied to every log line (log.ts) and to what the CLI prints (app.ts).
 */
const REDACTED = '[redacted]';

const PATTERNS: [RegExp, string][] = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, REDACTED],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi, `$1 ${REDACTED}`],
  [/\bya29\.[A-Za-z0-9._-]+/g, REDACTED],
  [/\b(access_token|refresh_token|id_token|client_secret|private_key|private_key_id|api_?key)(\\?"?\s*[:=]\s*\\?"?)[^"&\s,}\\]+/gi, `$1$2${REDACTED}`],
];

/** Environment variables whose values must never be printed (and the key file GOOGLE_APPLICATION_CREDENTIALS names). */
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|PRIVATE|CREDENTIAL|API_?KEY|ACCESS_KEY/i;

function secretValues(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env)
    .filter(([name, value]) => SECRET_NAME.test(name) && typeof value === 'string' && value.length >= 6)
    .map(([, value]) => value as string)
    .sort((a, b) => b.length - a.length);
}

let cached: { env: NodeJS.ProcessEnv; values: string[] } | null = null;

export function redact(text: string, env: NodeJS.ProcessEnv = process.env): string {
  if (cached?.env !== env) cached = { env, values: secretValues(env) };
  let out = text;
  for (const value of cached.values) if (out.includes(value)) out = out.split(value).join(REDACTED);
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}
