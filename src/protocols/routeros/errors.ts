/** What can go wrong talking to a router, as distinct types the caller can act on. */

/** The router answered `!trap`: the command was understood and refused (e.g. duplicate name). */
export class RosTrapError extends Error {
  override name = 'RosTrapError';
  constructor(
    message: string,
    readonly category: number | undefined,
    readonly command: string,
  ) {
    super(message);
  }
}

/** Login refused: wrong user name or password, or the user lacks the api/rest-api policy. */
export class RosLoginError extends Error {
  override name = 'RosLoginError';
}

/**
 * The router could not be reached or the connection broke (refused, reset, timeout, `!fatal`).
 * Retrying later may help; the command may or may not have been applied.
 */
export class RosConnectionError extends Error {
  override name = 'RosConnectionError';
}

/** A command got no answer in time: the router is slow or the path to it silently broken. */
export class RosTimeoutError extends RosConnectionError {
  override name = 'RosTimeoutError';
}

export const isUnreachable = (e: unknown): boolean => e instanceof RosConnectionError;
