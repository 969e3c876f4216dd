/**
 * GPT-2's reversible byte-to-character alphabet: byte-level BPE vocabularies spell every byte as a
 * printable character, so that merges and pieces are plain strings without spaces or controls.
 * @module
 */

/** Character for each byte value: printable Latin-1 bytes map to themselves, the rest to U+0100 onwards. */
export const BYTE_TO_CHAR: readonly string[] = (() => {
  const chars: string[] = [];
  let next = 256;
  for (let byte = 0; byte < 256; byte++) {
    const printable = (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || byte >= 0xae;
    chars.push(String.fromCharCode(printable ? byte : next++));
  }
  return chars;
})();

/** Inverse of {@link BYTE_TO_CHAR}, keyed by UTF-16 code unit (all 256 characters are below U+0144). */
const CHAR_TO_BYTE: Int16Array = (() => {
  const table = new Int16Array(0x144).fill(-1);
  BYTE_TO_CHAR.forEach((char, byte) => (table[char.charCodeAt(0)] = byte));
  return table;
})();

const utf8 = new TextEncoder();
const utf16 = new TextDecoder('utf-16le');
const BYTE_TO_CODE = Uint16Array.from(BYTE_TO_CHAR, (char) => char.charCodeAt(0));

/** Spells text's UTF-8 bytes in the byte-level alphabet, one character per byte. */
export function toByteLevel(text: string): string {
  const bytes = utf8.encode(text);
  const codes = new Uint16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) codes[i] = BYTE_TO_CODE[bytes[i] as number] as number;
  // One native decode instead of a concatenation per byte: a word may be megabytes long.
  return utf16.decode(codes);
}

/**
 * The bytes a byte-level piece stands for. Characters outside the alphabet (a vocabulary entry that
 * was never byte-encoded) are kept as their own UTF-8 so that nothing is silently dropped.
 */
export function fromByteLevel(piece: string): Uint8Array {
  const bytes: number[] = [];
  for (const char of piece) {
    const byte = char.length === 1 ? (CHAR_TO_BYTE[char.charCodeAt(0)] ?? -1) : -1;
    if (byte >= 0) bytes.push(byte);
    else bytes.push(...utf8.encode(char));
  }
  return Uint8Array.from(bytes);
}
