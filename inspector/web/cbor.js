// @ts-check
/* Station Inspector phone verifier: strict base32 and deterministic-CBOR decoding.
 *
 * Written for this project (no third-party code). It is the second implementation of what
 * inspector/psc1.py does with base64.b32decode and cbor2, and must give the same answer and the
 * same reason code on every input:
 *
 *   base32   : A-Z 2-7 only, no padding, lengths 8n+{1,3,6} impossible, and the text must be the
 *              one canonical encoding of its bytes ("bad-base32" / "non-canonical-base32").
 *   CBOR     : exactly one well-formed item ("bad-cbor"), no duplicate map key
 *              ("duplicate-key"), nothing after it ("trailing-bytes"), and the bytes must equal
 *              what cbor2.dumps(value, canonical=True) gives for the decoded value
 *              ("non-canonical-cbor"): minimal lengths and integers, definite lengths, map keys
 *              sorted length-first then bytewise (cbor2's canonical order), shortest floats.
 *              Nesting deeper than 8 is refused, as psc1.py asks cbor2 (max_depth=8).
 *
 * cbor2 turns some registered tags into Python objects (datetimes, big integers, sets, ...).
 * Big integers (tags 2 and 3) and the tags cbor2 drops on re-encoding (55799, 28) are mirrored
 * exactly; any other tag is kept as a plain tag. Such an item can never be a valid COSE field
 * or certificate claim, so on hand-made input the reason code may differ from psc1.py's there
 * but the verdict cannot.
 *
 * Decoded items are plain objects {t: type, v: value}:
 *   int (v: BigInt), bytes (Uint8Array), text (string), array (item[]), map ([key, value][]),
 *   tag (tag: BigInt, v: item), bool (boolean), null, undefined, simple (number),
 *   float (number).
 */
(function (/** @type {any} */ root) {
  "use strict";

  const MAX_DEPTH = 8;

  class DecodeError extends Error {
    constructor(code, message) {
      super(message);
      this.code = code;
    }
  }

  // ------------------------------------------------------------------------------------------
  // base32 (RFC 4648, upper case, no padding), strict

  const B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

  /** Unpadded upper-case base32 text of bytes. @param {Uint8Array} bytes @returns {string} */
  function base32Encode(bytes) {
    let out = "";
    let buffer = 0;
    let bits = 0;
    for (const byte of bytes) {
      buffer = (buffer << 8) | byte;
      bits += 8;
      while (bits >= 5) {
        out += B32[(buffer >>> (bits - 5)) & 31];
        bits -= 5;
      }
      buffer &= (1 << bits) - 1;
    }
    if (bits > 0) out += B32[(buffer << (5 - bits)) & 31];
    return out;
  }

  /** Strict base32 (see the file comment); throws DecodeError. @param {string} body @returns {Uint8Array} */
  function base32Decode(body) {
    if (!/^[A-Z2-7]+$/.test(body)) {
      throw new DecodeError("bad-base32", "QR payload has characters outside the base32 alphabet A-Z, 2-7");
    }
    const rest = body.length % 8;
    if (rest === 1 || rest === 3 || rest === 6) {
      throw new DecodeError("bad-base32", "QR payload has an impossible base32 length");
    }
    const out = new Uint8Array(Math.floor((body.length * 5) / 8));
    let buffer = 0;
    let bits = 0;
    let n = 0;
    for (const char of body) {
      buffer = ((buffer << 5) | B32.indexOf(char)) & 0xffff;
      bits += 5;
      if (bits >= 8) {
        out[n++] = (buffer >>> (bits - 8)) & 0xff;
        bits -= 8;
      }
    }
    if (base32Encode(out) !== body) {
      throw new DecodeError("non-canonical-base32", "QR payload's last base32 character is not canonical");
    }
    return out;
  }

  // ------------------------------------------------------------------------------------------
  // decoding

  const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  const TWO64 = 1n << 64n;

  function fail(message) {
    throw new DecodeError("bad-cbor", message);
  }

  class Reader {
    constructor(bytes) {
      this.bytes = bytes;
      this.pos = 0;
      this.duplicate = false;
    }

    take(n) {
      if (n > BigInt(this.bytes.length - this.pos)) fail("premature end of CBOR data");
      const k = Number(n);
      const out = this.bytes.subarray(this.pos, this.pos + k);
      this.pos += k;
      return out;
    }

    byte() {
      return this.take(1n)[0];
    }

    argument(info) {
      if (info < 24) return BigInt(info);
      if (info > 27) fail("reserved additional information");
      const width = 1 << (info - 24);
      let value = 0n;
      for (const b of this.take(BigInt(width))) value = (value << 8n) | BigInt(b);
      return value;
    }

    item(depth) {
      if (depth > MAX_DEPTH) fail("maximum container nesting depth exceeded");
      const initial = this.byte();
      const major = initial >> 5;
      const info = initial & 31;
      if (info === 31) return this.indefinite(major, depth);
      if (major === 7) return this.special(info);
      const arg = this.argument(info);
      switch (major) {
        case 0:
          return { t: "int", v: arg };
        case 1:
          return { t: "int", v: -1n - arg };
        case 2:
          return { t: "bytes", v: this.take(arg).slice() };
        case 3:
          return { t: "text", v: this.text(this.take(arg)) };
        case 4: {
          const items = [];
          for (let i = 0n; i < arg; i++) items.push(this.item(depth + 1));
          return { t: "array", v: items };
        }
        case 5: {
          const entries = [];
          const seen = new Set();
          for (let i = 0n; i < arg; i++) this.entry(entries, seen, depth);
          return { t: "map", v: entries };
        }
        default:
          return this.tagged(arg, depth);
      }
    }

    entry(entries, seen, depth) {
      const key = this.item(depth + 1);
      const value = this.item(depth + 1);
      const identity = pyKey(key);
      if (seen.has(identity)) {
        this.duplicate = true; // cbor2's lenient mode keeps going (the last value wins)
        for (const pair of entries) if (pyKey(pair[0]) === identity) pair[1] = value;
        return;
      }
      seen.add(identity);
      entries.push([key, value]);
    }

    text(bytes) {
      try {
        return UTF8.decode(bytes);
      } catch (e) {
        fail("invalid UTF-8 in a text string");
      }
    }

    indefinite(major, depth) {
      if (major === 2 || major === 3) {
        const chunks = [];
        for (;;) {
          const initial = this.byte();
          if (initial === 0xff) break;
          if (initial >> 5 !== major || (initial & 31) === 31) fail("bad chunk in an indefinite-length string");
          chunks.push(this.take(this.argument(initial & 31)));
        }
        const size = chunks.reduce((sum, c) => sum + c.length, 0);
        const joined = new Uint8Array(size);
        let at = 0;
        for (const c of chunks) {
          joined.set(c, at);
          at += c.length;
        }
        return major === 2 ? { t: "bytes", v: joined } : { t: "text", v: this.text(joined) };
      }
      if (major === 4) {
        const items = [];
        while (this.peek() !== 0xff) items.push(this.item(depth + 1));
        this.pos++;
        return { t: "array", v: items };
      }
      if (major === 5) {
        const entries = [];
        const seen = new Set();
        while (this.peek() !== 0xff) this.entry(entries, seen, depth);
        this.pos++;
        return { t: "map", v: entries };
      }
      if (major === 7) fail("break code where a data item was expected");
      return fail("indefinite length not allowed for this major type");
    }

    peek() {
      if (this.pos >= this.bytes.length) fail("premature end of CBOR data");
      return this.bytes[this.pos];
    }

    special(info) {
      if (info < 20) return { t: "simple", v: info };
      if (info === 20) return { t: "bool", v: false };
      if (info === 21) return { t: "bool", v: true };
      if (info === 22) return { t: "null" };
      if (info === 23) return { t: "undefined" };
      if (info === 24) {
        const value = this.byte();
        if (value < 32) fail("invalid two-byte simple value");
        return { t: "simple", v: value };
      }
      if (info === 25) return { t: "float", v: half(this.take(2n)) };
      if (info === 26) return { t: "float", v: new DataView(this.take(4n).slice().buffer).getFloat32(0) };
      if (info === 27) return { t: "float", v: new DataView(this.take(8n).slice().buffer).getFloat64(0) };
      return fail("reserved simple value");
    }

    tagged(tag, depth) {
      const content = this.item(depth + 1);
      if (tag === 2n || tag === 3n) {
        if (content.t !== "bytes") fail("bignum value must be a byte string");
        let n = 0n;
        for (const b of content.v) n = (n << 8n) | BigInt(b);
        return { t: "int", v: tag === 2n ? n : -1n - n };
      }
      if (tag === 55799n || tag === 28n || tag === 256n) return content; // cbor2 drops these tags
      if (tag === 25n || tag === 29n) fail("string or shared reference without its target");
      const plain = { t: "tag", tag: tag, v: content };
      const rule = PYTHON_TAGS.get(tag);
      if (rule === undefined) return plain;
      const verdict = rule(content);
      if (verdict === "error") fail("tag " + tag + " content cbor2 cannot decode");
      return verdict === "changed" ? { t: "pyobj" } : plain;
    }
  }

  /* Tags cbor2 decodes into Python objects: "error" when cbor2 refuses the content, "changed"
   * when re-encoding the object gives other bytes (so psc1.py says non-canonical), else "same". */
  const isInt = (item) => item.t === "int";
  const isPair = (item) => item.t === "array" && item.v.length === 2 && isInt(item.v[0]) && isInt(item.v[1]);
  const gcd = (a, b) => (b === 0n ? a : gcd(b, a % b));
  const PYTHON_TAGS = new Map([
    [0n, (c) => {
      if (c.t !== "text" || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(c.v)) return "error";
      return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.(?!000000)\d{6})?Z$/.test(c.v) ? "same" : "changed";
    }],
    [1n, (c) => (inRange(c, -62135596800, 253402300799) ? "changed" : "error")],
    [4n, (c) => (isPair(c) ? "same" : "error")],
    [5n, (c) => (isPair(c) ? "changed" : "error")],
    [30n, (c) => {
      if (!isPair(c) || c.v[1].v === 0n) return "error";
      const [num, den] = [c.v[0].v, c.v[1].v];
      return den < 0n || gcd(num < 0n ? -num : num, den) !== 1n ? "changed" : "same";
    }],
    [36n, (c) => (c.t === "text" || c.t === "null" ? "changed" : "error")],
    [37n, (c) => (c.t === "bytes" && c.v.length === 16 ? "same" : "error")],
    [100n, (c) => (c.t !== "float" && inRange(c, -719162, 2932896) ? "changed" : "error")],
    [258n, (c) => {
      if (c.t !== "array") return "error";
      const encoded = c.v.map((x) => encodeItem(x));
      const sorted = encoded.slice().sort(compareKeys);
      for (let i = 0; i < encoded.length; i++) {
        if (compareKeys(encoded[i], sorted[i]) !== 0) return "changed";
        if (i > 0 && compareKeys(sorted[i - 1], sorted[i]) === 0) return "changed";
      }
      return "same";
    }],
    [260n, (c) => (c.t === "bytes" && (c.v.length === 4 || c.v.length === 16) ? "changed" : "error")],
    [1004n, (c) => (c.t === "text" && /^\d{4}-\d{2}-\d{2}$/.test(c.v) && validDate(c.v) ? "same" : "error")],
  ]);

  // A number (Python int, bool or float) that cbor2 can turn into a date or datetime.
  function inRange(c, low, high) {
    let n;
    if (c.t === "int") n = Number(c.v);
    else if (c.t === "bool") n = c.v ? 1 : 0;
    else if (c.t === "float") n = c.v;
    else return false;
    return n >= low && n <= high;
  }

  function validDate(text) {
    const [y, m, d] = text.split("-").map(Number);
    const date = new Date(Date.UTC(y, m - 1, d));
    return y >= 1 && date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
  }

  function half(b) {
    const bits = (b[0] << 8) | b[1];
    const sign = bits & 0x8000 ? -1 : 1;
    const exp = (bits >> 10) & 0x1f;
    const frac = bits & 0x3ff;
    if (exp === 0) return sign * frac * 2 ** -24;
    if (exp === 31) return frac ? NaN : sign * Infinity;
    return sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }

  /* Python equality of decoded map keys (1 == 1.0 == True, tuples by value, ...): the key under
   * which cbor2 would find a duplicate. */
  let nanCounter = 0;
  function pyKey(item) {
    switch (item.t) {
      case "int":
        return "n" + item.v.toString();
      case "bool":
        return item.v ? "n1" : "n0";
      case "float":
        if (Number.isNaN(item.v)) return "nan" + nanCounter++;
        if (Number.isInteger(item.v)) return "n" + BigInt(item.v).toString();
        return "f" + String(item.v);
      case "bytes":
        return "b" + hex(item.v);
      case "text":
        return "t" + JSON.stringify(item.v);
      case "array":
        return "a[" + item.v.map(pyKey).join(",") + "]";
      case "map":
        return "m{" + item.v.map((pair) => pyKey(pair[0]) + ":" + pyKey(pair[1])).sort().join(",") + "}";
      case "tag":
        return "g" + item.tag.toString() + "(" + pyKey(item.v) + ")";
      case "simple": // CBORSimpleValue compares equal to its int
        return "n" + item.v;
      default:
        return item.t;
    }
  }

  // ------------------------------------------------------------------------------------------
  // canonical encoding, as cbor2.dumps(value, canonical=True)

  function head(major, n, out) {
    const m = major << 5;
    if (n < 24n) out.push(m | Number(n));
    else if (n < 0x100n) out.push(m | 24, Number(n));
    else if (n < 0x10000n) out.push(m | 25, ...bigBytes(n, 2));
    else if (n < 0x100000000n) out.push(m | 26, ...bigBytes(n, 4));
    else out.push(m | 27, ...bigBytes(n, 8));
  }

  function bigBytes(n, width) {
    const out = [];
    for (let i = width - 1; i >= 0; i--) out.push(Number((n >> BigInt(8 * i)) & 0xffn));
    return out;
  }

  function minimalBytes(n) {
    const out = [];
    while (n > 0n) {
      out.unshift(Number(n & 0xffn));
      n >>= 8n;
    }
    return out;
  }

  function encodeFloat(value, out) {
    if (Number.isNaN(value)) return out.push(0xf9, 0x7e, 0x00);
    if (value === Infinity) return out.push(0xf9, 0x7c, 0x00);
    if (value === -Infinity) return out.push(0xf9, 0xfc, 0x00);
    const h = toHalf(value);
    if (h !== null) return out.push(0xf9, h >> 8, h & 0xff);
    if (Math.fround(value) === value) {
      const view = new DataView(new ArrayBuffer(4));
      view.setFloat32(0, value);
      return out.push(0xfa, ...new Uint8Array(view.buffer));
    }
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, value);
    return out.push(0xfb, ...new Uint8Array(view.buffer));
  }

  // The half-precision bits of value when it is exactly representable, else null.
  function toHalf(value) {
    const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
    const a = Math.abs(value);
    if (a === 0) return sign;
    for (let exp = 1; exp < 31; exp++) {
      const frac = (a / 2 ** (exp - 15) - 1) * 1024;
      if (frac >= 0 && frac < 1024 && Number.isInteger(frac)) return sign | (exp << 10) | frac;
    }
    const sub = a / 2 ** -24;
    if (Number.isInteger(sub) && sub < 1024) return sign | sub;
    return null;
  }

  function encode(item, out) {
    switch (item.t) {
      case "int": {
        const v = item.v;
        if (v >= 0n && v < TWO64) head(0, v, out);
        else if (v < 0n && v >= -TWO64) head(1, -1n - v, out);
        else {
          const bytes = minimalBytes(v >= 0n ? v : -1n - v);
          head(6, v >= 0n ? 2n : 3n, out);
          head(2, BigInt(bytes.length), out);
          out.push(...bytes);
        }
        return;
      }
      case "bytes":
        head(2, BigInt(item.v.length), out);
        for (const b of item.v) out.push(b);
        return;
      case "text": {
        const bytes = new TextEncoder().encode(item.v);
        head(3, BigInt(bytes.length), out);
        for (const b of bytes) out.push(b);
        return;
      }
      case "array":
        head(4, BigInt(item.v.length), out);
        for (const x of item.v) encode(x, out);
        return;
      case "map": {
        const pairs = item.v.map(([k, v]) => [encodeItem(k), encodeItem(v)]);
        pairs.sort((a, b) => compareKeys(a[0], b[0]));
        head(5, BigInt(pairs.length), out);
        for (const [k, v] of pairs) out.push(...k, ...v);
        return;
      }
      case "tag":
        head(6, item.tag, out);
        encode(item.v, out);
        return;
      case "bool":
        out.push(item.v ? 0xf5 : 0xf4);
        return;
      case "null":
        out.push(0xf6);
        return;
      case "undefined":
        out.push(0xf7);
        return;
      case "simple":
        if (item.v < 20) out.push(0xe0 | item.v);
        else out.push(0xf8, item.v);
        return;
      case "float":
        encodeFloat(item.v, out);
        return;
      case "pyobj": // a Python object that cbor2 re-encodes differently: never equal to the input
        out.push(-1);
        return;
      default:
        throw new Error("cannot encode " + item.t);
    }
  }

  /** cbor2's canonical encoding of a decoded item. @param {any} item @returns {number[]} */
  function encodeItem(item) {
    const out = [];
    encode(item, out);
    return out;
  }

  function compareKeys(a, b) {
    if (a.length !== b.length) return a.length - b.length;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
    return 0;
  }

  /** @param {ArrayLike<number>} a @param {ArrayLike<number>} b @returns {boolean} */
  function equalBytes(a, b) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  /** Exactly one deterministic CBOR item, as psc1._strict_cbor. Throws DecodeError.
   * @param {Uint8Array} bytes @param {string} what how messages name the item @returns {any} */
  function decodeStrict(bytes, what) {
    const reader = new Reader(bytes);
    let value;
    try {
      value = reader.item(0);
    } catch (e) {
      if (e instanceof DecodeError) throw new DecodeError("bad-cbor", what + " is not valid CBOR");
      if (e instanceof RangeError) throw new DecodeError("bad-cbor", what + " is not valid CBOR");
      throw e;
    }
    if (reader.duplicate) throw new DecodeError("duplicate-key", what + " has a duplicate map key");
    if (reader.pos !== bytes.length) {
      throw new DecodeError("trailing-bytes", what + " has " + (bytes.length - reader.pos) + " bytes after its CBOR item");
    }
    if (!equalBytes(encodeItem(value), bytes)) {
      throw new DecodeError("non-canonical-cbor", what + " is not deterministic CBOR");
    }
    return value;
  }

  /** Lower-case hex. @param {Iterable<number>} bytes @returns {string} */
  function hex(bytes) {
    let s = "";
    for (const b of bytes) s += b.toString(16).padStart(2, "0");
    return s;
  }

  root.InspectorCBOR = {
    DecodeError: DecodeError,
    base32Encode: base32Encode,
    base32Decode: base32Decode,
    decodeStrict: decodeStrict,
    encode: encodeItem,
    equalBytes: equalBytes,
    hex: hex,
  };
})(typeof window !== "undefined" ? window : globalThis);
