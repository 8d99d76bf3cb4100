/** containerd's max_container_log_line_size: longer lines are split into partial records. */
export const MAX_LOG_LINE = 16 * 1024;

export type LogStream = 'stdout' | 'stderr';

/** One CRI log record: `<time> <stream> <F|P> <content>\n`. */
export interface LogRecord {
  tag: 'F' | 'P';
  content: Buffer;
}

/**
 * Splits a stream's bytes into CRI log records as containerd's redirectLogs does: one `F`
 * record per line (without `\n` or `\r\n`), `P` records of MAX_LOG_LINE bytes for longer
 * lines, and a `P` record for what is left without a newline at the end of the stream.
 */
export interface LogLineSplitter {
  push(chunk: Buffer): LogRecord[];
  end(): LogRecord[];
}

export function createLogLineSplitter(maxLine = MAX_LOG_LINE): LogLineSplitter {
  let pending: Buffer = Buffer.alloc(0);

  const push = (chunk: Buffer): LogRecord[] => {
    const records: LogRecord[] = [];
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    for (;;) {
      const newline = pending.indexOf(0x0a);
      const end = newline > 0 && pending[newline - 1] === 0x0d ? newline - 1 : newline;
      if (newline !== -1 && end <= maxLine) {
        records.push({ tag: 'F', content: pending.subarray(0, end) });
        pending = pending.subarray(newline + 1);
      } else if (pending.length > maxLine && (newline === -1 || end > maxLine)) {
        records.push({ tag: 'P', content: pending.subarray(0, maxLine) });
        pending = pending.subarray(maxLine);
      } else {
        break;
      }
    }
    // Keep only the tail, not the whole chunk it is a view of.
    pending = Buffer.from(pending);
    return records;
  };

  return {
    push,
    end() {
      if (pending.length === 0) return [];
      const records: LogRecord[] = [{ tag: 'P', content: pending }];
      pending = Buffer.alloc(0);
      return records;
    },
  };
}

export function formatLogRecord(time: string, stream: LogStream, record: LogRecord): Buffer {
  const header = Buffer.from(`${time} ${stream} ${record.tag} `);
  return Buffer.concat([header, record.content, Buffer.from('\n')]);
}
