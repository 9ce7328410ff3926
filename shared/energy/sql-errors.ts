// The energy and search RPCs raise PostgREST-style SQLSTATEs (PT404, PT422) with a machine-readable
// code in HINT, so a browser calling them through the Data API and a function calling them through
// postgres.js get the same status. This turns such an error into the kernel's HttpError.
import { HttpError } from "../errors.ts";

interface PostgresError {
  code?: string;
  message?: string;
  hint?: string;
}

/** Runs `work`; a PTxxx error becomes an HttpError with that status, anything else passes through. */
export async function mapRpcErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const pg = error as PostgresError;
    const status = pg.code?.match(/^PT(4\d\d)$/)?.[1];
    if (status) {
      throw new HttpError(
        Number(status) as 404 | 422,
        pg.hint ?? "invalid_request",
        pg.message ?? "Invalid request.",
      );
    }
    throw error;
  }
}
