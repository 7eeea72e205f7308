/** ANSI styling that switches off entirely for NO_COLOR, non-TTY output and dumb terminals. */
export interface Style {
  readonly add: (text: string) => string;
  readonly change: (text: string) => string;
  readonly remove: (text: string) => string;
  readonly warn: (text: string) => string;
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
}

const wrap =
  (open: number, close: number) =>
  (text: string): string =>
    `\u001b[${open}m${text}\u001b[${close}m`;

const identity = (text: string): string => text;

export function createStyle(color: boolean): Style {
  if (!color)
    return {
      add: identity,
      change: identity,
      remove: identity,
      warn: identity,
      bold: identity,
      dim: identity,
    };
  return {
    add: wrap(32, 39),
    change: wrap(33, 39),
    remove: wrap(31, 39),
    warn: wrap(35, 39),
    bold: wrap(1, 22),
    dim: wrap(2, 22),
  };
}

/** https://no-color.org: any non-empty NO_COLOR disables colour; so does a pipe or TERM=dumb. */
export function shouldColor(
  stream: { isTTY?: boolean },
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.TERM === "dumb") return false;
  return stream.isTTY === true;
}
