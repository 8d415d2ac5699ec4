/**
 * What the environment says about the terminal, read the way other tools read it, so embedeval behaves
 * like its neighbours in the same CI log or shell.
 */

/**
 * True in continuous integration. CI services set `CI` to different values (`true` on GitHub Actions,
 * `1` or `yes` on others, the service name on some), so any non-empty value counts except the ones that
 * say no: `false` and `0`.
 */
export function isContinuousIntegration(environment: Readonly<Record<string, string | undefined>>): boolean {
  const value = environment.CI?.trim().toLowerCase();
  return value !== undefined && value !== "" && value !== "false" && value !== "0";
}

/**
 * Whether to colour output written to `stream`: only on a terminal, and never when `NO_COLOR` is set to
 * a non-empty value (https://no-color.org).
 */
export function colorEnabled(
  stream: { isTTY?: boolean },
  environment: Readonly<Record<string, string | undefined>>,
): boolean {
  return stream.isTTY === true && !environment.NO_COLOR;
}
