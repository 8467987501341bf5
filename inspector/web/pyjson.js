// @ts-check
/* Station Inspector phone verifier: Python's semantics for text, strict JSON and times.
 *
 * Written for this project (no third-party code). The trust list and the revocation list are
 * JSON that the Python side reads with json.loads (duplicate keys refused) and checks to be in
 * RFC 8785 canonical form (inspector.crypto.canonical); this file gives the page the same
 * parser and the same canonical form, Python's str.strip() and code-point lengths, and the one
 * time format (YYYY-MM-DDTHH:MM:SSZ) of inspector.crypto.canonical.parse_time / format_time.
 *
 * Parsed JSON: objects are Maps (key order kept), integers BigInts, floats JsonFloat (refused in
 * signed data), strings, arrays, booleans and null.
 */
(function (/** @type {any} */ root) {
  "use strict";

  const C = root.InspectorCBOR;

  const MAX_DATETIME = 253402300799n; // 9999-12-31T23:59:59Z: Python datetimes end there

  // ------------------------------------------------------------------------------------------
  // text helpers with Python's semantics

  /** Python's str.isspace() characters (what str.strip() removes). */
  const PY_SPACE = new Set(
    [0x9, 0xa, 0xb, 0xc, 0xd, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003,
      0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000].map((c) =>
      String.fromCharCode(c))
  );

  /**
   * Python's str.strip() with no argument.
   * @param {string} text
   * @returns {string}
   */
  function pyStrip(text) {
    const chars = Array.from(text);
    let start = 0;
    let end = chars.length;
    while (start < end && PY_SPACE.has(chars[start])) start++;
    while (end > start && PY_SPACE.has(chars[end - 1])) end--;
    return chars.slice(start, end).join("");
  }

  /**
   * Length in code points, as Python's len() of a str.
   * @param {string} text
   * @returns {number}
   */
  const codePoints = (text) => Array.from(text).length;

  const ENC = new TextEncoder();
  const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

  /**
   * UTF-8 bytes of text, refusing lone surrogates as Python's str.encode does.
   * @param {string} text
   * @returns {Uint8Array}
   */
  function utf8(text) {
    if (!wellFormed(text)) throw new Error("text has a lone surrogate");
    return ENC.encode(text);
  }

  /**
   * @param {string} text
   * @returns {boolean} false when text has a lone surrogate
   */
  function wellFormed(text) {
    if (typeof text.isWellFormed === "function") return text.isWellFormed();
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff) {
        const next = text.charCodeAt(i + 1);
        if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
        i++;
      } else if (c >= 0xdc00 && c <= 0xdfff) return false;
    }
    return true;
  }

  // ------------------------------------------------------------------------------------------
  // strict JSON: Python's json.loads with duplicate keys refused, and RFC 8785 canonical form

  /** A JSON number with a fraction or exponent (or NaN, Infinity): never allowed in signed data. */
  class JsonFloat {
    /** @param {number} value */
    constructor(value) {
      this.value = value;
    }
  }

  /**
   * Python's json.loads, duplicate keys refused. Throws Error("not valid JSON (...)").
   * @param {string} text
   * @returns {any} Map, Array, BigInt, JsonFloat, string, boolean or null
   */
  function parseJson(text) {
    let i = 0;
    const ws = () => {
      while (i < text.length && " \t\n\r".includes(text[i])) i++;
    };
    const error = (message) => {
      throw new Error("not valid JSON (" + message + " at " + i + ")");
    };
    const value = () => {
      ws();
      const c = text[i];
      if (c === "{") return object();
      if (c === "[") return array();
      if (c === '"') return string();
      if (text.startsWith("true", i)) return (i += 4), true;
      if (text.startsWith("false", i)) return (i += 5), false;
      if (text.startsWith("null", i)) return (i += 4), null;
      if (text.startsWith("NaN", i)) return (i += 3), new JsonFloat(NaN);
      if (text.startsWith("Infinity", i)) return (i += 8), new JsonFloat(Infinity);
      if (text.startsWith("-Infinity", i)) return (i += 9), new JsonFloat(-Infinity);
      const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/.exec(text.slice(i, i + 400));
      if (!m || !m[0]) error("expecting value");
      i += m[0].length;
      if (m[2] || m[3]) return new JsonFloat(Number(m[0]));
      return BigInt(m[0]);
    };
    const object = () => {
      i++;
      const out = new Map();
      ws();
      if (text[i] === "}") return i++, out;
      for (;;) {
        ws();
        if (text[i] !== '"') error("expecting property name");
        const key = string();
        ws();
        if (text[i] !== ":") error("expecting ':'");
        i++;
        const item = value();
        if (out.has(key)) error("duplicate key " + JSON.stringify(key));
        out.set(key, item);
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") return i++, out;
        error("expecting ',' or '}'");
      }
    };
    const array = () => {
      i++;
      const out = [];
      ws();
      if (text[i] === "]") return i++, out;
      for (;;) {
        out.push(value());
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") return i++, out;
        error("expecting ',' or ']'");
      }
    };
    const ESC = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
    const string = () => {
      i++;
      let out = "";
      for (;;) {
        if (i >= text.length) error("unterminated string");
        const c = text[i++];
        if (c === '"') return out;
        if (c < " ") error("invalid control character");
        if (c !== "\\") {
          out += c;
          continue;
        }
        const e = text[i++];
        if (e in ESC) out += ESC[e];
        else if (e === "u") {
          const h = text.slice(i, i + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(h)) error("invalid \\u escape");
          out += String.fromCharCode(parseInt(h, 16));
          i += 4;
        } else error("invalid escape");
      }
    };
    const result = value();
    ws();
    if (i !== text.length) error("extra data");
    return result;
  }

  function canonicalString(s) {
    let out = '"';
    for (const ch of s.normalize("NFC")) {
      const code = ch.charCodeAt(0);
      if (ch === '"') out += '\\"';
      else if (ch === "\\") out += "\\\\";
      else if (ch === "\b") out += "\\b";
      else if (ch === "\f") out += "\\f";
      else if (ch === "\n") out += "\\n";
      else if (ch === "\r") out += "\\r";
      else if (ch === "\t") out += "\\t";
      else if (code < 0x20) out += "\\u" + code.toString(16).padStart(4, "0");
      else out += ch;
    }
    return out + '"';
  }

  const INT_LIMIT = 2n ** 53n - 1n;

  /**
   * RFC 8785 text of a parsed value after NFC, as inspector.crypto.canonical.canonical_json.
   * Throws Error for floats and integers outside the JSON range.
   * @param {any} value what parseJson returns
   * @returns {string}
   */
  function canonicalJson(value) {
    if (value === null) return "null";
    if (value === true) return "true";
    if (value === false) return "false";
    if (typeof value === "bigint") {
      if (value > INT_LIMIT || value < -INT_LIMIT) throw new Error("integer out of the JSON range");
      return value.toString();
    }
    if (value instanceof JsonFloat) throw new Error("floats are not allowed in signed data");
    if (typeof value === "string") return canonicalString(value);
    if (Array.isArray(value)) return "[" + value.map(canonicalJson).join(",") + "]";
    const entries = Array.from(value.entries()).map(([k, v]) => [k.normalize("NFC"), v]);
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)); // UTF-16 code unit order
    return "{" + entries.map(([k, v]) => canonicalString(k) + ":" + canonicalJson(v)).join(",") + "}";
  }

  /**
   * Parse bytes that must be canonical JSON (inspector.crypto.canonical.parse_canonical_json).
   * Throws Error with a message that starts with `what`.
   * @param {Uint8Array} bytes
   * @param {string} what
   * @returns {any}
   */
  function parseCanonicalJson(bytes, what) {
    let value;
    try {
      value = parseJson(UTF8.decode(bytes));
    } catch (e) {
      throw new Error(what + ": not valid JSON (" + e.message + ")");
    }
    let again;
    try {
      again = utf8(canonicalJson(value));
    } catch (e) {
      throw new Error(what + ": not canonical JSON (" + e.message + ")");
    }
    if (!C.equalBytes(again, bytes)) throw new Error(what + ": not in canonical form");
    return value;
  }

  // ------------------------------------------------------------------------------------------
  // times

  const UTC_TIME = /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z$/;

  /**
   * Epoch seconds of a YYYY-MM-DDTHH:MM:SSZ text (canonical.parse_time + format_time), else null.
   * @param {unknown} text
   * @returns {number | null}
   */
  function parseUtc(text) {
    const m = typeof text === "string" ? UTC_TIME.exec(text) : null;
    if (!m) return null;
    const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
    if (y < 1000 || mo < 1 || mo > 12 || h > 23 || mi > 59 || s > 59 || d < 1) return null;
    const ms = Date.UTC(y, mo - 1, d, h, mi, s);
    const check = new Date(ms);
    if (check.getUTCDate() !== d || check.getUTCMonth() !== mo - 1) return null;
    return Math.floor(ms / 1000);
  }

  /**
   * The YYYY-MM-DDTHH:MM:SSZ text of epoch seconds; beyond Python's datetimes, the number itself.
   * @param {number | bigint} seconds
   * @returns {string}
   */
  function formatUtc(seconds) {
    const big = BigInt(seconds);
    if (big > MAX_DATETIME || big < -MAX_DATETIME) return big.toString();
    return new Date(Number(big) * 1000).toISOString().replace(/\.000Z$/, "Z");
  }

  // ------------------------------------------------------------------------------------------
  // dates people read (certificates/dates.py): DD-MM-YYYY on India's calendar

  const IST_OFFSET = 19800; // seconds: India Standard Time is UTC+05:30 all year (no daylight saving)
  const pad = (n, width) => String(n).padStart(width, "0");

  /**
   * India's calendar date and time of epoch seconds, or null beyond what a date can hold.
   * @param {number | bigint} seconds
   * @returns {{day: string, time: string} | null}
   */
  function ist(seconds) {
    const big = BigInt(seconds);
    if (big > MAX_DATETIME || big < 0n) return null;
    const d = new Date((Number(big) + IST_OFFSET) * 1000);
    return {
      day: pad(d.getUTCDate(), 2) + "-" + pad(d.getUTCMonth() + 1, 2) + "-" + pad(d.getUTCFullYear(), 4),
      time: pad(d.getUTCHours(), 2) + ":" + pad(d.getUTCMinutes(), 2),
    };
  }

  /**
   * dates.indian_date: a UTC time text as its date in India (DD-MM-YYYY), a day (YYYY-MM-DD,
   * already a date, no time zone) as DD-MM-YYYY; anything else (a number beyond year 9999) as it is.
   * @param {string | null | undefined} text
   * @returns {string}
   */
  function indianDate(text) {
    if (!text) return "";
    const day = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(text);
    if (day) return day[3] + "-" + day[2] + "-" + day[1];
    const seconds = parseUtc(text);
    const shown = seconds === null ? null : ist(seconds);
    return shown ? shown.day : text;
  }

  /**
   * Epoch seconds as "DD-MM-YYYY HH:MM IST".
   * @param {number | bigint} seconds
   * @returns {string}
   */
  function indianMoment(seconds) {
    const shown = ist(seconds);
    return shown ? shown.day + " " + shown.time + " IST" : String(seconds);
  }

  root.InspectorPyJSON = {
    indianDate: indianDate,
    indianMoment: indianMoment,
    MAX_DATETIME: MAX_DATETIME,
    PY_SPACE: PY_SPACE,
    pyStrip: pyStrip,
    codePoints: codePoints,
    utf8: utf8,
    JsonFloat: JsonFloat,
    parseJson: parseJson,
    canonicalJson: canonicalJson,
    parseCanonicalJson: parseCanonicalJson,
    parseUtc: parseUtc,
    formatUtc: formatUtc,
  };
})(typeof window !== "undefined" ? window : globalThis);
