/**
 * A tiny terminal for tests: replays what a view wrote (text, CR/LF, cursor-previous-line `ESC[nF`,
 * clear-to-end `ESC[0J`; colours and cursor visibility are ignored) and returns the visible lines.
 */
export function screenOf(output: string): string[] {
  const lines: string[] = [""];
  let row = 0;
  let col = 0;
  const put = (text: string): void => {
    const line = lines[row] ?? "";
    lines[row] = line.slice(0, col).padEnd(col) + text + line.slice(col + text.length);
    col += text.length;
  };
  // eslint-disable-next-line no-control-regex -- escape sequences are what this parses
  const token = /\x1b\[(\??)(\d*)([A-Za-z])|\r|\n|[^\x1b\r\n]+/g;
  for (const match of output.matchAll(token)) {
    const [text, , arg, command] = match;
    if (text === "\n") {
      row += 1;
      col = 0;
      if (lines[row] === undefined) lines[row] = "";
    } else if (text === "\r") {
      col = 0;
    } else if (command === "F") {
      row = Math.max(0, row - Number(arg || "1"));
      col = 0;
    } else if (command === "J") {
      lines[row] = (lines[row] ?? "").slice(0, col);
      lines.length = row + 1;
    } else if (command === undefined) {
      put(text);
    }
  }
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}
