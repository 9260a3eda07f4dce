/**
 * RouterOS API wire format: a sentence is a list of words ended by an empty word; a word is a
 * length (1–5 bytes, big-endian, the high bits of the first byte say how many) followed by that
 * many bytes. Pure encoding/decoding, no sockets. Words are carried as Buffers on the wire and as
 * latin1-safe strings here: RouterOS treats content as bytes, and we keep names ASCII.
 */

export class RouterOsProtocolError extends Error {
  override name = 'RouterOsProtocolError';
}

/** Largest length the 5-byte form can carry (4 bytes after 0xF0). */
export const MAX_WORD_LENGTH = 0xffffffff;

export function encodeLength(len: number): Buffer {
  if (!Number.isInteger(len) || len < 0 || len > MAX_WORD_LENGTH) {
    throw new RouterOsProtocolError(`word length out of range: ${len}`);
  }
  if (len < 0x80) return Buffer.from([len]);
  if (len < 0x4000) return Buffer.from([(len >>> 8) | 0x80, len & 0xff]);
  if (len < 0x200000) return Buffer.from([(len >>> 16) | 0xc0, (len >>> 8) & 0xff, len & 0xff]);
  if (len < 0x10000000) {
    return Buffer.from([(len >>> 24) | 0xe0, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff]);
  }
  return Buffer.from([0xf0, (len >>> 24) & 0xff, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff]);
}

/**
 * Reads a length at `offset`. Returns null when the buffer does not yet hold the whole prefix.
 * A first byte ≥ 0xF8 is a reserved control byte: a peer cannot continue after one.
 */
export function decodeLength(buf: Buffer, offset = 0): { length: number; size: number } | null {
  if (offset >= buf.length) return null;
  const b = buf[offset]!;
  let size: number;
  if (b < 0x80) return { length: b, size: 1 };
  if (b < 0xc0) size = 2;
  else if (b < 0xe0) size = 3;
  else if (b < 0xf0) size = 4;
  else if (b === 0xf0) size = 5;
  else throw new RouterOsProtocolError(`control byte 0x${b.toString(16)} is not supported`);
  if (offset + size > buf.length) return null;
  if (size === 5) return { length: buf.readUInt32BE(offset + 1), size };
  let len = b & (0xff >> size); // drop the size marker bits
  for (let i = 1; i < size; i++) len = len * 256 + buf[offset + i]!;
  return { length: len, size };
}

export const wordBytes = (word: string | Buffer): Buffer =>
  typeof word === 'string' ? Buffer.from(word, 'latin1') : word;

export function encodeWord(word: string | Buffer): Buffer {
  const body = wordBytes(word);
  return Buffer.concat([encodeLength(body.length), body]);
}

/** One sentence: its words then the terminating empty word. */
export function encodeSentence(words: (string | Buffer)[]): Buffer {
  return Buffer.concat([...words.map(encodeWord), Buffer.from([0])]);
}

/**
 * Streaming decoder: feed it bytes as they arrive in any chunking; it emits whole sentences.
 * Empty sentences (a bare terminator) are skipped, as the router does.
 */
export class SentenceDecoder {
  private buf: Buffer = Buffer.alloc(0);
  private words: string[] = [];
  /** Refuse absurd words from a broken or hostile peer instead of buffering gigabytes. */
  constructor(private readonly maxWordLength = 16 * 1024 * 1024) {}

  push(chunk: Buffer): string[][] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: string[][] = [];
    let pos = 0;
    for (;;) {
      const head = decodeLength(this.buf, pos);
      if (!head) break;
      if (head.length > this.maxWordLength) {
        throw new RouterOsProtocolError(`word of ${head.length} bytes is larger than allowed`);
      }
      const end = pos + head.size + head.length;
      if (end > this.buf.length) break;
      if (head.length === 0) {
        if (this.words.length) out.push(this.words);
        this.words = [];
      } else {
        this.words.push(this.buf.toString('latin1', pos + head.size, end));
      }
      pos = end;
    }
    this.buf = pos === this.buf.length ? Buffer.alloc(0) : this.buf.subarray(pos);
    return out;
  }
}

export type ReplyWord = '!re' | '!done' | '!trap' | '!fatal' | '!empty';
const REPLY_WORDS = new Set(['!re', '!done', '!trap', '!fatal', '!empty']);

export interface ReplySentence {
  type: ReplyWord;
  /** `=name=value` attribute words (value may contain `=`). */
  attrs: Record<string, string>;
  /** The `.tag` API attribute, wherever it sits in the sentence. */
  tag: string | undefined;
  /** Words that are neither attributes nor `.tag` (e.g. the bare reason after `!fatal`). */
  other: string[];
}

/** Splits `=name=value` on the first `=` after the name; returns null for other words. */
export function parseAttributeWord(word: string): [string, string] | null {
  if (word[0] !== '=') return null;
  const i = word.indexOf('=', 1);
  if (i < 0) return [word.slice(1), ''];
  return [word.slice(1, i), word.slice(i + 1)];
}

export function parseReply(words: string[]): ReplySentence {
  const [first, ...rest] = words;
  if (!first || !REPLY_WORDS.has(first)) {
    throw new RouterOsProtocolError(`unknown reply word ${JSON.stringify(first)}`);
  }
  const attrs: Record<string, string> = {};
  const other: string[] = [];
  let tag: string | undefined;
  for (const w of rest) {
    if (w.startsWith('.tag=')) tag = w.slice(5);
    else {
      const kv = parseAttributeWord(w);
      if (kv) attrs[kv[0]] = kv[1];
      else other.push(w);
    }
  }
  return { type: first as ReplyWord, attrs, tag, other };
}

export interface CommandSentence {
  command: string;
  attrs: Record<string, string>;
  /** Query words without the leading `?`, in order (order is significant). */
  queries: string[];
  tag: string | undefined;
  /** API attribute words other than `.tag` (`.proplist=` given as an API word by some clients). */
  api: Record<string, string>;
}

export function parseCommand(words: string[]): CommandSentence {
  const [command, ...rest] = words;
  if (!command) throw new RouterOsProtocolError('empty command sentence');
  const attrs: Record<string, string> = {};
  const api: Record<string, string> = {};
  const queries: string[] = [];
  let tag: string | undefined;
  for (const w of rest) {
    if (w[0] === '=') {
      const kv = parseAttributeWord(w)!;
      attrs[kv[0]] = kv[1];
    } else if (w[0] === '?') queries.push(w.slice(1));
    else if (w[0] === '.') {
      const i = w.indexOf('=');
      const k = i < 0 ? w.slice(1) : w.slice(1, i);
      const v = i < 0 ? '' : w.slice(i + 1);
      if (k === 'tag') tag = v;
      else api[k] = v;
    }
  }
  return { command, attrs, queries, tag, api };
}

/** Builds the words of a command sentence. Attribute order is not significant; query order is. */
export function commandWords(
  command: string,
  attrs: Record<string, string | number | boolean | undefined> = {},
  queries: string[] = [],
  tag?: string,
): string[] {
  const words = [command];
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) words.push(`=${k}=${String(v)}`);
  for (const q of queries) words.push(`?${q}`);
  if (tag !== undefined) words.push(`.tag=${tag}`);
  return words;
}

export function replyWords(
  type: ReplyWord,
  attrs: Record<string, string> = {},
  tag?: string,
  other: string[] = [],
): string[] {
  const words: string[] = [type, ...other];
  for (const [k, v] of Object.entries(attrs)) words.push(`=${k}=${v}`);
  if (tag !== undefined) words.push(`.tag=${tag}`);
  return words;
}
