export type LogLine = Record<string, unknown>;

/** A pino destination for `startTestServer({ logDestination })`: the server's log lines, parsed as they are written. */
export class LogLines {
  readonly lines: LogLine[] = [];
  write(line: string): void {
    this.lines.push(JSON.parse(line) as LogLine);
  }
  requests(): LogLine[] {
    return this.lines.filter((l) => l.msg === 'request completed' || l.msg === 'request failed');
  }
  of(reqId: unknown): LogLine[] {
    return this.lines.filter((l) => l.reqId === reqId);
  }
  /** Lines whose message contains `text`. */
  saying(text: string): LogLine[] {
    return this.lines.filter((l) => typeof l.msg === 'string' && l.msg.includes(text));
  }
}
