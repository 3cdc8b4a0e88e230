/**
 * Credentials of the embedded PostgreSQL of the development default. The cluster listens on
 * 127.0.0.1 only; the password is not a secret, but it is distinctive so that the log scrubber,
 * which redacts the database password wherever it appears, never hides an ordinary word.
 */
export const EMBEDDED_USER = 'postgres';
export const EMBEDDED_PASSWORD = 'embedded-dev-only';

export function embeddedDatabaseUrl(port: number): string {
  return `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/postgres`;
}
