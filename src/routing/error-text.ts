/** The message of an error, bounded, as kept in `last_error` and dead letters. */
export function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 2000);
}
