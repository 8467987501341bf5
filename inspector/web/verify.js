/* Station Inspector phone verifier: trust lists, certificate verification and the page.
 *
 * Written for this project (no third-party code). It is the second implementation of
 * inspector/trust.py (load_trustlist, load_crl) and inspector/verify.py (verify_payload) and must
 * reach the same verdict with the same first reason code on every input; tests/webvectors.py
 * builds the shared test vectors and tests/test_web_verifier.py runs them in Chromium.
 *
 * Trust comes only from what HQ published into this page (see inspector/publish.py), the
 * JSON in the element with id "inspector-config" (a script element of type application/json):
 *     {"format": "inspector-verifier/v1", "roots": [base64 raw Ed25519 keys],
 *      "trustlist": "<trust-list file text>", "crl": "<CRL file text>" | null,
 *      "stations": {"CODE": {"en": ..., "hi": ...}}, "base_url": ..., "published_at": ...}
 * The trust list and the CRL are checked here again, against the pinned roots, as the CLI does.
 * The page makes no network request of any kind (its Content-Security-Policy forbids them).
 *
 * Entry points:
 *   index.html#PSC1:...                the officer's link (the QR holds https://host/path#PSC1:...)
 *   paste box                          a hand-held scanner types the text and presses Enter
 *   index.html#now=EPOCH&p=PSC1:...    tests only: decide at a fixed time (shown on the page)
 *   index.html#vectors                 tests only: run the vectors embedded by the test build
 *   window.inspectorVerify(text, nowEpochSeconds[, context]) -> Promise<result>
 */
(function (root) {
  "use strict";

  const C = root.InspectorCBOR;
  const ED = root.InspectorEd25519;

  const PREFIX = "PSC1:";
  const MAX_TEXT_LENGTH = 420;
  const MAX_SCANNED_LENGTH = 1024;
  const SIGNATURE_SIZE = 64;
  const KID_SIZE = 8;
  const COSE_SIGN1_TAG = 18n;
  const CLOCK_SKEW = 300;
  const UINT64_MAX = (1n << 64n) - 1n;
  const MAX_DATETIME = 253402300799n; // 9999-12-31T23:59:59Z: Python datetimes end there
  const TRUSTLIST_FORMAT = "inspector-trustlist/v1";
  const CRL_FORMAT = "inspector-crl/v1";
  const DOMAIN = { CERT: "PSA/cert/v1", TRUSTLIST: "PSA/trustlist/v1", CRL: "PSA/crl/v1" };
  const KID_TAG = "PSA/kid/v1";

  class PayloadError extends Error {
    constructor(code, message) {
      super(message);
      this.code = code;
    }
  }

  /* A trust list or CRL that cannot be used (Python: UserError, exit status 2). */
  class UnusableError extends Error {
    constructor(code, message) {
      super(message);
      this.code = code;
    }
  }

  // ------------------------------------------------------------------------------------------
  // text helpers with Python's semantics

  const PY_SPACE = new Set(
    [0x9, 0xa, 0xb, 0xc, 0xd, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003,
      0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000].map((c) =>
      String.fromCharCode(c))
  );

  function pyStrip(text) {
    const chars = Array.from(text);
    let start = 0;
    let end = chars.length;
    while (start < end && PY_SPACE.has(chars[start])) start++;
    while (end > start && PY_SPACE.has(chars[end - 1])) end--;
    return chars.slice(start, end).join("");
  }

  const codePoints = (text) => Array.from(text).length;

  const ENC = new TextEncoder();
  const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

  /* UTF-8 bytes of text, refusing lone surrogates as Python's str.encode does. */
  function utf8(text) {
    if (!wellFormed(text)) throw new Error("text has a lone surrogate");
    return ENC.encode(text);
  }

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

  class JsonFloat {
    constructor(value) {
      this.value = value;
    }
  }

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

  /* RFC 8785 text of a parsed value after NFC, as inspector.canonical.canonical_json. */
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

  /* Parse bytes that must be canonical JSON (inspector.canonical.parse_canonical_json). */
  function parseCanonicalJson(bytes, what) {
    let value;
    try {
      value = parseJson(UTF8.decode(bytes));
    } catch (e) {
      throw new UnusableError(null, what + ": not valid JSON (" + e.message + ")");
    }
    let again;
    try {
      again = utf8(canonicalJson(value));
    } catch (e) {
      throw new UnusableError(null, what + ": not canonical JSON (" + e.message + ")");
    }
    if (!C.equalBytes(again, bytes)) throw new UnusableError(null, what + ": not in canonical form");
    return value;
  }

  // ------------------------------------------------------------------------------------------
  // base64, times, hashes, signatures

  const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

  function b64encode(bytes) {
    let out = "";
    for (let i = 0; i < bytes.length; i += 3) {
      const n = (bytes[i] << 16) | ((bytes[i + 1] || 0) << 8) | (bytes[i + 2] || 0);
      out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
      out += i + 1 < bytes.length ? B64[(n >> 6) & 63] : "=";
      out += i + 2 < bytes.length ? B64[n & 63] : "=";
    }
    return out;
  }

  /* Strict standard base64 (signing.b64decode): the one text form of the bytes. */
  function b64decode(text) {
    if (typeof text !== "string" || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
    const clean = text.replace(/=+$/, "");
    const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
    let buffer = 0;
    let bits = 0;
    let n = 0;
    for (const ch of clean) {
      buffer = ((buffer << 6) | B64.indexOf(ch)) & 0xffffff;
      bits += 6;
      if (bits >= 8) {
        out[n++] = (buffer >> (bits - 8)) & 0xff;
        bits -= 8;
      }
    }
    return b64encode(out) === text ? out : null;
  }

  const UTC_TIME = /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z$/;

  /* Epoch seconds of a YYYY-MM-DDTHH:MM:SSZ text (canonical.parse_time + format_time), else null. */
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

  function formatUtc(seconds) {
    const big = BigInt(seconds);
    if (big > MAX_DATETIME || big < -MAX_DATETIME) return big.toString();
    return new Date(Number(big) * 1000).toISOString().replace(/\.000Z$/, "Z");
  }

  async function sha256(bytes) {
    return new Uint8Array(await root.crypto.subtle.digest("SHA-256", bytes));
  }

  function concat(...parts) {
    const size = parts.reduce((n, p) => n + p.length, 0);
    const out = new Uint8Array(size);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  async function computeKid(raw) {
    return (await sha256(concat(ENC.encode(KID_TAG), raw))).slice(0, KID_SIZE);
  }

  function protectedHeader(kid) {
    return Uint8Array.from(C.encode({ t: "map", v: [[{ t: "int", v: 1n }, { t: "int", v: -8n }], [{ t: "int", v: 4n }, { t: "bytes", v: kid }]] }));
  }

  function sigStructure(domain, protectedBytes, payload) {
    return Uint8Array.from(
      C.encode({
        t: "array",
        v: [
          { t: "text", v: "Signature1" },
          { t: "bytes", v: protectedBytes },
          { t: "bytes", v: ENC.encode(domain) },
          { t: "bytes", v: payload },
        ],
      })
    );
  }

  const ED_P = 2n ** 255n - 19n;
  const ED_L = 2n ** 252n + 27742317777372353535851937790883648493n;

  function littleEndian(bytes) {
    let n = 0n;
    for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
    return n;
  }

  /* Signatures OpenSSL (so the Python verifier) would refuse whatever the browser's own rules:
   * S must be below the group order L (no malleable S + L) and R must be a canonical point
   * encoding (OpenSSL compares R byte for byte with the one it computes). Browsers differ here;
   * this keeps every browser on the Python verifier's side. */
  function strictSignature(signature) {
    const r = littleEndian(signature.subarray(0, 32));
    const s = littleEndian(signature.subarray(32, 64));
    if (s >= ED_L) return false;
    const y = r & ((1n << 255n) - 1n);
    const negative = r >> 255n === 1n;
    if (y >= ED_P) return false;
    if (negative && (y === 1n || y === ED_P - 1n)) return false; // x = 0 with the sign bit set
    return true;
  }

  /* An Ed25519 public key that passed the small-order screen (signing.PublicKey). */
  class PublicKey {
    static async create(raw) {
      try {
        ED.checkPublicKey(raw);
      } catch (e) {
        throw new UnusableError(null, "unsafe public key refused: " + e.message);
      }
      const key = new PublicKey();
      key.raw = raw;
      key.kid = await computeKid(raw);
      key.kidHex = C.hex(key.kid);
      key.b64 = b64encode(raw);
      key.protected = protectedHeader(key.kid);
      key.cryptoKey = null;
      return key;
    }

    static async fromB64(text, what) {
      const raw = b64decode(text);
      if (raw === null) throw new UnusableError(null, what + ": not valid base64");
      try {
        return await PublicKey.create(raw);
      } catch (e) {
        throw new UnusableError(null, what + ": " + e.message);
      }
    }

    async verify(domain, payload, signature, protectedBytes) {
      if (signature.length !== SIGNATURE_SIZE || !strictSignature(signature)) return false;
      if (this.cryptoKey === null) {
        this.cryptoKey = await root.crypto.subtle.importKey("raw", this.raw, { name: "Ed25519" }, false, ["verify"]);
      }
      const message = sigStructure(domain, protectedBytes || this.protected, payload);
      return root.crypto.subtle.verify({ name: "Ed25519" }, this.cryptoKey, signature, message);
    }

    equals(other) {
      return other instanceof PublicKey && C.equalBytes(this.raw, other.raw);
    }
  }

  /* RFC 8032 test 1: proves this browser's WebCrypto really checks Ed25519 signatures. */
  async function ed25519Supported() {
    const hexBytes = (h) => Uint8Array.from(h.match(/../g).map((x) => parseInt(x, 16)));
    const pub = hexBytes("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    const sig = hexBytes(
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
    );
    try {
      if (!root.crypto || !root.crypto.subtle) return false;
      const key = await root.crypto.subtle.importKey("raw", pub, { name: "Ed25519" }, false, ["verify"]);
      const good = await root.crypto.subtle.verify({ name: "Ed25519" }, key, sig, new Uint8Array(0));
      const bad = await root.crypto.subtle.verify({ name: "Ed25519" }, key, sig, new Uint8Array(1));
      return good === true && bad === false;
    } catch (e) {
      return false;
    }
  }

  // ------------------------------------------------------------------------------------------
  // signed documents (trust.py: _envelope_of, _open_signed, load_trustlist, load_crl)

  const KID_HEX = /^[0-9a-f]{16}$/;
  const KID_HEX_PY = /^[0-9a-f]{16}\n?$/; // Python's re.match with "$" also matches before a final newline
  const AUDITOR_ID_PY = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}\n?$/;
  const CERT_ID_PY = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,79}\n?$/;

  function isObject(v) {
    return v instanceof Map;
  }

  function envelopeOf(text, fmt, what) {
    let document;
    try {
      document = parseJson(text);
    } catch (e) {
      throw new UnusableError(null, what + ": " + e.message);
    }
    if (!isObject(document) || document.size !== 2 || !document.has("format") || !document.has("envelope")) {
      throw new UnusableError(null, what + ": not a signed document (expected keys 'format' and 'envelope')");
    }
    if (document.get("format") !== fmt) throw new UnusableError(null, what + ": format is not " + fmt);
    const env = document.get("envelope");
    if (!isObject(env)) throw new UnusableError(null, what + ": envelope is not an object");
    for (const key of env.keys()) {
      if (!["kid", "payload", "sig"].includes(key)) throw new UnusableError(null, what + ": envelope: extra field " + key);
    }
    for (const key of ["kid", "payload", "sig"]) {
      if (typeof env.get(key) !== "string") throw new UnusableError(null, what + ": envelope: " + key + " must be text");
    }
    if (!KID_HEX.test(env.get("kid"))) throw new UnusableError(null, what + ": envelope: kid must be 16 lowercase hex digits");
    return { kid: env.get("kid"), payload: env.get("payload"), sig: env.get("sig") };
  }

  async function openSigned(text, fmt, domain, pinned, what) {
    const env = envelopeOf(text, fmt, what);
    if (!pinned.length) throw new UnusableError(null, what + ": no HQ root key is pinned in this page");
    const candidates = pinned.filter((root) => root.kidHex === env.kid);
    if (!candidates.length) throw new UnusableError(null, what + ": signed by key " + env.kid + ", which is not a pinned HQ root");
    let payloadBytes;
    try {
      payloadBytes = utf8(env.payload);
    } catch (e) {
      throw new UnusableError(null, what + ": payload is not valid text");
    }
    let last = null;
    for (const key of candidates) {
      const sig = b64decode(env.sig);
      if (sig === null) {
        last = what + ": signature is not valid base64";
        continue;
      }
      if (!(await key.verify(domain, payloadBytes, sig))) {
        last = what + ": bad signature";
        continue;
      }
      let value;
      try {
        value = parseCanonicalJson(payloadBytes, what);
      } catch (e) {
        last = e.message;
        continue;
      }
      if (!isObject(value)) {
        last = what + ": payload is not an object";
        continue;
      }
      return { signer: key, payload: value };
    }
    throw new UnusableError(null, last + " (altered, or not a " + fmt + " document)");
  }

  /* Field checks of the pydantic models in trust.py (strict mode, extra fields forbidden). */
  class Fields {
    constructor(map, what, allowed) {
      this.map = map;
      this.what = what;
      for (const key of map.keys()) if (!allowed.includes(key)) this.fail(key, "extra inputs are not permitted");
    }

    fail(key, message) {
      throw new UnusableError(null, this.what + ": " + key + ": " + message);
    }

    has(key) {
      return this.map.has(key) && this.map.get(key) !== null;
    }

    raw(key, optional) {
      if (!this.map.has(key)) {
        if (optional) return undefined;
        this.fail(key, "field required");
      }
      return this.map.get(key);
    }

    str(key, optional) {
      const v = this.raw(key, optional);
      if (v === undefined || (optional && v === null)) return null;
      if (typeof v !== "string") this.fail(key, "input should be a valid string");
      return v;
    }

    int(key, min) {
      const v = this.raw(key);
      if (typeof v !== "bigint") this.fail(key, "input should be a valid integer");
      if (v < BigInt(min)) this.fail(key, "input should be at least " + min);
      return v;
    }

    time(key, optional) {
      const v = this.str(key, optional);
      if (v === null) return null;
      if (parseUtc(v) === null) this.fail(key, JSON.stringify(v) + " is not a UTC time YYYY-MM-DDTHH:MM:SSZ");
      return v;
    }

    text(key, optional) {
      const v = this.str(key, optional);
      if (v === null) return null;
      const n = codePoints(v);
      if (n < 1 || n > 500) this.fail(key, "must be 1 to 500 characters");
      if (!pyStrip(v)) this.fail(key, "must not be empty");
      if (/[\u0000-\u001f\u007f]/.test(v)) this.fail(key, "contains control characters");
      return v;
    }

    list(key) {
      const v = this.raw(key);
      if (!Array.isArray(v)) this.fail(key, "input should be a valid list");
      return v;
    }
  }

  const PURPOSES = ["cert", "finding"];
  const STATUSES = ["active", "retired", "revoked"];

  function trustEntry(map, what) {
    if (!isObject(map)) throw new UnusableError(null, what + ": input should be an object");
    const f = new Fields(map, what, [
      "auditor_id", "name", "public_key", "kid", "purposes", "use_from", "use_until", "verify_until",
      "status", "retired_at", "revoked_at", "reason",
    ]);
    const entry = {};
    entry.auditor_id = f.str("auditor_id");
    if (!AUDITOR_ID_PY.test(entry.auditor_id)) f.fail("auditor_id", "not a valid id");
    entry.name = f.text("name");
    entry.public_key = f.str("public_key");
    entry.kid = f.str("kid");
    if (!KID_HEX_PY.test(entry.kid)) f.fail("kid", "kid must be 16 lowercase hex digits");
    const purposes = f.list("purposes");
    if (!purposes.length) f.fail("purposes", "list should have at least 1 item");
    for (const p of purposes) if (!PURPOSES.includes(p)) f.fail("purposes", "input should be 'cert' or 'finding'");
    entry.purposes = purposes;
    entry.use_from = f.time("use_from");
    entry.use_until = f.time("use_until");
    entry.verify_until = f.time("verify_until");
    entry.status = "active";
    if (map.has("status")) {
      entry.status = map.get("status");
      if (!STATUSES.includes(entry.status)) f.fail("status", "input should be 'active', 'retired' or 'revoked'");
    }
    entry.retired_at = f.time("retired_at", true);
    entry.revoked_at = f.time("revoked_at", true);
    entry.reason = f.text("reason", true);
    // TrustEntry._consistent
    const sorted = purposes.slice().sort();
    if (new Set(purposes).size !== purposes.length || sorted.join() !== purposes.join()) {
      throw new UnusableError(null, what + ": purposes must be sorted and unique");
    }
    if (!(parseUtc(entry.use_from) <= parseUtc(entry.use_until) && parseUtc(entry.use_until) <= parseUtc(entry.verify_until))) {
      throw new UnusableError(null, what + ": need use_from <= use_until <= verify_until");
    }
    const revoked = entry.status === "revoked";
    if (revoked !== (entry.revoked_at !== null)) throw new UnusableError(null, what + ": revoked_at is set exactly when status is revoked");
    if (revoked && entry.reason === null) throw new UnusableError(null, what + ": a revoked key needs a reason");
    if ((entry.status === "retired") !== (entry.retired_at !== null) && !revoked) {
      throw new UnusableError(null, what + ": retired_at is set exactly when status is retired");
    }
    return entry;
  }

  function listHeader(payload, what, listKey) {
    const fields = ["seq", "issued_at", "next_update", "issuer_name", "issuer_key", listKey];
    if (listKey === "auditors") fields.push("verify_url");
    const f = new Fields(payload, what, fields);
    const doc = {
      seq: f.int("seq", 1),
      issued_at: f.time("issued_at"),
      next_update: f.time("next_update"),
      issuer_name: f.text("issuer_name"),
      issuer_key: f.str("issuer_key"),
      items: f.list(listKey),
    };
    if (listKey === "auditors") {
      // trust.check_verify_url: printed into every QR code, so https, printable ASCII, no '#'.
      doc.verify_url = f.str("verify_url", true);
      const url = doc.verify_url;
      if (url !== null && !(url.slice(0, 8).toLowerCase() === "https://" && /^[\x21-\x7e]*$/.test(url) && !url.includes("#") && url.length <= 100)) {
        f.fail("verify_url", "must be an https:// address of plain ASCII characters, no '#', at most 100 characters");
      }
    }
    return doc;
  }

  async function loadTrustlist(text, pinned, what) {
    what = what || "trust list";
    const { signer, payload } = await openSigned(text, TRUSTLIST_FORMAT, DOMAIN.TRUSTLIST, pinned, what);
    const doc = listHeader(payload, what, "auditors");
    doc.auditors = doc.items.map((item, index) => trustEntry(item, what + ": auditors." + index));
    if (!(parseUtc(doc.next_update) > parseUtc(doc.issued_at))) throw new UnusableError(null, what + ": next_update must be after issued_at");
    let issuer;
    try {
      issuer = await PublicKey.fromB64(doc.issuer_key, "trust list issuer key");
    } catch (e) {
      throw new UnusableError(null, what + ": " + e.message);
    }
    if (!issuer.equals(signer)) throw new UnusableError(null, what + ": issuer_key is not the key that signed it");
    const seen = new Map([[issuer.kidHex, issuer]]);
    for (const [index, entry] of doc.auditors.entries()) {
      const where = what + ": auditors." + index + " (" + entry.auditor_id + ")";
      const key = await PublicKey.fromB64(entry.public_key, "public key of " + entry.auditor_id).catch((e) => {
        throw new UnusableError(null, where + ": " + e.message);
      });
      if (key.kidHex !== entry.kid) throw new UnusableError(null, where + ": kid " + entry.kid + " does not match the key");
      const other = seen.get(key.kidHex);
      if (other && !other.equals(key)) throw new UnusableError(null, where + ": kid " + key.kidHex + " collides with another key");
      seen.set(key.kidHex, key);
      entry.key = key;
    }
    doc.issuer = issuer;
    doc.issuedAt = parseUtc(doc.issued_at);
    doc.nextUpdate = parseUtc(doc.next_update);
    return doc;
  }

  async function loadCrl(text, pinned, what) {
    what = what || "revocation list";
    const { signer, payload } = await openSigned(text, CRL_FORMAT, DOMAIN.CRL, pinned, what);
    const doc = listHeader(payload, what, "entries");
    doc.entries = doc.items.map((item, index) => {
      const where = what + ": entries." + index;
      if (!isObject(item)) throw new UnusableError(null, where + ": input should be an object");
      const f = new Fields(item, where, ["cert_id", "reason", "revoked_at"]);
      const entry = { cert_id: f.str("cert_id"), reason: f.text("reason"), revoked_at: f.time("revoked_at") };
      if (!CERT_ID_PY.test(entry.cert_id)) f.fail("cert_id", "not a certificate id");
      return entry;
    });
    if (!(parseUtc(doc.next_update) > parseUtc(doc.issued_at))) throw new UnusableError(null, what + ": next_update must be after issued_at");
    const ids = doc.entries.map((e) => e.cert_id);
    if (new Set(ids).size !== ids.length) throw new UnusableError(null, what + ": a certificate id is listed twice");
    let issuer;
    try {
      issuer = await PublicKey.fromB64(doc.issuer_key, "revocation list issuer key");
    } catch (e) {
      throw new UnusableError(null, what + ": " + e.message);
    }
    if (!issuer.equals(signer)) throw new UnusableError(null, what + ": issuer_key is not the key that signed it");
    doc.issuer = issuer;
    doc.issuedAt = parseUtc(doc.issued_at);
    doc.nextUpdate = parseUtc(doc.next_update);
    return doc;
  }

  async function loadRoots(list) {
    const roots = [];
    for (const [index, text] of (list || []).entries()) {
      roots.push(await PublicKey.fromB64(text, "pinned HQ root " + index));
    }
    return roots;
  }

  /* Everything a verdict needs: {roots, trust, crl} or the reason the lists are unusable. */
  async function loadContext(config) {
    const roots = await loadRoots(config.roots).catch((e) => {
      throw new UnusableError("trustlist-unusable", e.message);
    });
    if (typeof config.trustlist !== "string") throw new UnusableError("trustlist-unusable", "no trust list is embedded in this page");
    const trust = await loadTrustlist(config.trustlist, roots).catch((e) => {
      throw new UnusableError("trustlist-unusable", e.message);
    });
    let crl = null;
    if (typeof config.crl === "string") {
      crl = await loadCrl(config.crl, roots).catch((e) => {
        throw new UnusableError("crl-unusable", e.message);
      });
    }
    return { roots: roots, trust: trust, crl: crl };
  }

  // ------------------------------------------------------------------------------------------
  // PSC1 (psc1.py: parse_scanned, decode, parse_claims)

  function parseScanned(text) {
    if (typeof text !== "string") throw new PayloadError("bad-input", "scanned data must be text");
    if (codePoints(text) > MAX_SCANNED_LENGTH) {
      throw new PayloadError("too-long", "scanned text is longer than " + MAX_SCANNED_LENGTH + " characters");
    }
    text = pyStrip(text);
    const head = Array.from(text).slice(0, 8).join("").toLowerCase();
    if (!head.startsWith("https://") && !head.startsWith("http://")) return text;
    const cut = text.indexOf("#");
    if (cut < 0) throw new PayloadError("bad-url", "verify link has no #PSC1: fragment");
    const link = text.slice(0, cut);
    const fragment = text.slice(cut + 1);
    if (Array.from(link).slice(0, 8).join("").toLowerCase() !== "https://") {
      throw new PayloadError("bad-url", "verify link must use https://");
    }
    for (const ch of link) {
      if (PY_SPACE.has(ch) || /\p{Cc}/u.test(ch)) throw new PayloadError("bad-url", "verify link contains white space or control characters");
    }
    if (!urlHost(link)) throw new PayloadError("bad-url", "verify link has no host");
    return fragment;
  }

  /* urllib.parse.urlsplit(link).hostname, enough to tell "has a host" from "has none". */
  function urlHost(link) {
    const rest = link.slice(8);
    const netloc = rest.split(/[/?]/)[0];
    let host = netloc.slice(netloc.lastIndexOf("@") + 1);
    if (host.startsWith("[")) {
      const end = host.indexOf("]");
      if (end < 0) return null;
      host = host.slice(1, end);
    } else {
      if ((netloc.includes("[") && !netloc.includes("]")) || (netloc.includes("]") && !netloc.includes("["))) return null;
      host = host.split(":")[0];
    }
    return host || null;
  }

  function decodePayload(text) {
    if (typeof text !== "string") throw new PayloadError("bad-input", "QR payload must be text");
    if (codePoints(text) > MAX_TEXT_LENGTH) {
      throw new PayloadError("too-long", "QR payload is longer than " + MAX_TEXT_LENGTH + " characters");
    }
    if (!text.startsWith(PREFIX)) {
      throw new PayloadError("bad-prefix", "not a station certificate: the text must start with " + PREFIX);
    }
    let cose;
    let value;
    try {
      cose = C.base32Decode(text.slice(PREFIX.length));
      value = C.decodeStrict(cose, "certificate envelope");
    } catch (e) {
      if (e instanceof C.DecodeError) throw new PayloadError(e.code, e.message);
      throw e;
    }
    if (value.t !== "tag" || value.tag !== COSE_SIGN1_TAG) {
      throw new PayloadError("bad-cose", "certificate is not a tagged COSE_Sign1 (CBOR tag 18)");
    }
    const parts = value.v;
    if (parts.t !== "array" || parts.v.length !== 4) throw new PayloadError("bad-cose", "COSE_Sign1 must be an array of 4 items");
    const [prot, unprot, payload, signature] = parts.v;
    if (prot.t !== "bytes" || payload.t !== "bytes" || signature.t !== "bytes") {
      throw new PayloadError("bad-cose", "COSE_Sign1 protected header, payload and signature must be byte strings");
    }
    if (unprot.t !== "map" || unprot.v.length) throw new PayloadError("bad-header", "COSE unprotected header must be empty");
    if (signature.v.length !== SIGNATURE_SIZE) {
      throw new PayloadError("bad-signature-size", "signature is " + signature.v.length + " bytes, Ed25519 needs " + SIGNATURE_SIZE);
    }
    return { kid: kidFrom(prot.v), protected: prot.v, payload: payload.v, signature: signature.v };
  }

  function kidFrom(protectedBytes) {
    let header;
    try {
      header = C.decodeStrict(protectedBytes, "COSE protected header");
    } catch (e) {
      if (e instanceof C.DecodeError) throw new PayloadError("bad-header", e.message);
      throw e;
    }
    const entries = header.t === "map" ? header.v : null;
    const keyIs = (pair, n) => pair[0].t === "int" && pair[0].v === n;
    if (!entries || entries.length !== 2 || !entries.every((p) => keyIs(p, 1n) || keyIs(p, 4n))) {
      throw new PayloadError("bad-header", "COSE protected header must hold exactly alg (1) and kid (4)");
    }
    const get = (n) => entries.find((p) => keyIs(p, n))[1];
    const alg = get(1n);
    const kid = get(4n);
    if (alg.t !== "int" || alg.v !== -8n) throw new PayloadError("bad-header", "COSE algorithm refused: only EdDSA (-8)");
    if (kid.t !== "bytes" || kid.v.length !== KID_SIZE) throw new PayloadError("bad-header", "COSE kid must be " + KID_SIZE + " bytes");
    return kid.v;
  }

  const CLAIMS = {
    1: "issuer", 4: "expires_at", 6: "issued_at", 7: "cert_id", [-1]: "station_code", [-2]: "checklist",
    [-3]: "result", [-4]: "score", [-5]: "nonconformities", [-6]: "auditor_id", [-7]: "findings_root",
    [-8]: "station_name", [-9]: "audit_date", [-10]: "audit_type",
  };
  const OPTIONAL = new Set([-8, -9, -10]);
  // psc1._check_text: format and control characters are refused, except the zero-width
  // (non-)joiners Devanagari spelling needs.
  const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;
  const STATION_CODE = /^[A-Z0-9-]{3,16}$/;
  const CHECKLIST_ID = /^[a-z0-9][a-z0-9-]{1,62}$/;
  const CHECKLIST_VERSION = /^[0-9]+\.[0-9]+\.[0-9]+$/;

  function badClaim(message) {
    return new PayloadError("bad-claim", "certificate claim " + message);
  }

  function uint(raw, what) {
    if (raw.t !== "int" || raw.v < 0n) throw badClaim(what + " must be an unsigned integer");
    return raw.v;
  }

  function bstr(raw, what) {
    if (raw.t !== "bytes") throw badClaim(what + " must be a byte string");
    return raw.v;
  }

  function tstr(raw, what) {
    if (raw.t !== "text") throw badClaim(what + " must be a text string");
    if (raw.v.normalize("NFC") !== raw.v) throw badClaim(what + " is not NFC-normalised text");
    return raw.v;
  }

  function pair(raw, what, item) {
    if (raw.t !== "array" || raw.v.length !== 2) throw badClaim(what + " must be an array of 2 items");
    return [item(raw.v[0], what), item(raw.v[1], what)];
  }

  function enumValue(raw, what, max) {
    const v = uint(raw, what);
    if (v > BigInt(max)) throw badClaim(what + " has an unknown value " + v);
    return Number(v);
  }

  function visible(value, what) {
    for (const ch of value) {
      if (INVISIBLE.test(ch) && ch !== "\u200c" && ch !== "\u200d") throw badClaim(what + " contains a control character");
    }
    if (pyStrip(value) !== value) throw badClaim(what + " has leading or trailing white space");
  }

  /* Strict claims decoding (psc1.parse_claims); only called after a signature passed. */
  function parseClaims(payload) {
    let value;
    try {
      value = C.decodeStrict(payload, "certificate payload");
    } catch (e) {
      if (e instanceof C.DecodeError) throw new PayloadError(e.code, e.message);
      throw e;
    }
    if (value.t !== "map") throw new PayloadError("bad-claim", "certificate payload is not a CBOR map");
    for (const [key] of value.v) {
      if (key.t !== "int" || !(key.v >= -10n && key.v <= 7n && CLAIMS[Number(key.v)])) {
        throw new PayloadError("unknown-claim", "certificate payload has an unknown claim");
      }
    }
    const present = new Map(value.v.map(([k, v]) => [Number(k.v), v]));
    for (const key of Object.keys(CLAIMS).map(Number)) {
      if (!OPTIONAL.has(key) && !present.has(key)) throw new PayloadError("bad-claim", "certificate payload lacks " + CLAIMS[key]);
    }
    const c = {};
    for (const [key, raw] of value.v) {
      const n = Number(key.v);
      const name = CLAIMS[n];
      if (n === -2) [c.checklist_id, c.checklist_version] = pair(raw, "checklist", tstr);
      else if (n === -5) [c.majors, c.minors] = pair(raw, "nonconformities", uint);
      else if (n === -3) c.result = enumValue(raw, name, 2);
      else if (n === -10) c.audit_type = enumValue(raw, name, 3);
      else if (n === 7 || n === -7) c[name] = bstr(raw, name);
      else if (n === -1 || n === -6 || n === -8) c[name] = tstr(raw, name);
      else c[name] = uint(raw, name);
    }
    // CertClaims (pydantic) constraints
    for (const name of ["issuer", "issued_at", "expires_at"]) {
      if (c[name] > UINT64_MAX) throw badClaim(name + ": input should be less than or equal to 2**64-1");
    }
    if (c.cert_id.length !== 10) throw badClaim("cert_id: should have 10 bytes");
    if (!STATION_CODE.test(c.station_code)) throw badClaim("station_code: should match pattern");
    if (!CHECKLIST_ID.test(c.checklist_id)) throw badClaim("checklist_id: should match pattern");
    if (codePoints(c.checklist_version) > 20) throw badClaim("checklist_version: should have at most 20 characters");
    if (!CHECKLIST_VERSION.test(c.checklist_version)) throw badClaim("checklist_version: should match pattern");
    if (c.score > 100n) throw badClaim("score: input should be less than or equal to 100");
    if (c.majors > 65535n || c.minors > 65535n) throw badClaim("nonconformities: at most 65535");
    const auditorLength = codePoints(c.auditor_id);
    if (auditorLength < 1 || auditorLength > 24) throw badClaim("auditor_id: should have 1 to 24 characters");
    visible(c.auditor_id, "auditor_id");
    if (c.findings_root.length !== 16) throw badClaim("findings_root: should have 16 bytes");
    if (c.audit_date !== undefined && c.audit_date > 65535n) throw badClaim("audit_date: input should be less than or equal to 65535");
    if (c.station_name !== undefined) {
      const n = codePoints(c.station_name);
      if (n < 1 || n > 40) throw badClaim("station_name: should have 1 to 40 characters");
      visible(c.station_name, "station_name");
    }
    return c;
  }

  // ------------------------------------------------------------------------------------------
  // the verdict (verify.py: verify_payload)

  const CERT_ID_B32 = (cti) => C.base32Encode(cti);

  function result(valid, reasons, extra) {
    return Object.assign({ valid: valid, verdict: valid ? "VALID" : "INVALID", reasons: reasons, warnings: [] }, extra || {});
  }

  function reasonCode(text) {
    return text.split(":")[0];
  }

  const MAX_LIFETIME = BigInt((3 * 365 + 30) * 86400); // trust.MAX_CERT_LIFETIME_DAYS

  /* Decide one scanned text at time now (epoch seconds) under ctx = {trust, crl}, in the order
   * of verify.verify_payload: transport and envelope, clock, key known, purpose, signature,
   * revoked key; then claims, and every failing claim check is reported (first = primary). */
  async function verifyPayload(text, ctx, now) {
    const trust = ctx.trust;
    const crl = ctx.crl;
    const verdict = result(true, [], { lists: listsInfo(ctx), checked_at: formatUtc(now) });
    const out = verdict;
    const fail = (code, message) => {
      verdict.valid = false;
      verdict.verdict = "INVALID";
      verdict.reasons.push(code + ": " + message);
      return verdict;
    };
    if (now >= trust.nextUpdate) verdict.warnings.push("trustlist-stale: the trust list is past its next update (" + trust.next_update + ")");
    if (!crl) verdict.warnings.push("no-crl: no revocation list: cannot confirm the certificate was not revoked");
    else if (now >= crl.nextUpdate) verdict.warnings.push("crl-stale: the revocation list is past its next update (" + crl.next_update + ")");

    let decoded;
    try {
      decoded = decodePayload(parseScanned(text));
    } catch (e) {
      if (e instanceof PayloadError) return fail(e.code, e.message);
      throw e;
    }
    const kidHex = C.hex(decoded.kid);
    out.kid = kidHex;
    if (now < trust.issuedAt) {
      return fail("clock-wrong", "this phone's clock (" + formatUtc(now) + ") is earlier than the trust list's date (" + trust.issued_at + ")");
    }
    const found = trust.auditors.filter((entry) => entry.kid === kidHex);
    if (!found.length) return fail("unknown-key", "signed by key " + kidHex + ", which HQ never enrolled");
    const usable = found.filter((entry) => entry.purposes.includes("cert"));
    if (!usable.length) return fail("wrong-purpose", "key " + kidHex + " is not enrolled to sign certificates");
    const signed = [];
    for (const entry of usable) {
      if (await entry.key.verify(DOMAIN.CERT, decoded.payload, decoded.signature, decoded.protected)) signed.push(entry);
    }
    if (!signed.length) return fail("bad-signature", "the signature does not match: the certificate was altered or forged");
    const revoked = signed.find((entry) => entry.status === "revoked");
    if (revoked) {
      return fail("revoked-key", "key " + revoked.kid + " of " + revoked.auditor_id + " was revoked by HQ on " +
        revoked.revoked_at.slice(0, 10) + " (" + revoked.reason + ")");
    }
    const entry = signed[0];
    let claims;
    try {
      claims = parseClaims(decoded.payload);
    } catch (e) {
      if (e instanceof PayloadError) return fail(e.code, e.message);
      throw e;
    }
    Object.assign(out, describe(claims, entry, trust));
    const iat = claims.issued_at;
    const exp = claims.expires_at;
    const issuedOk = iat <= MAX_DATETIME;
    const expiresOk = exp <= MAX_DATETIME;
    const nowBig = BigInt(Math.floor(now));
    if (claims.auditor_id !== entry.auditor_id) {
      fail("auditor-mismatch", "certificate names lead auditor " + claims.auditor_id + ", but the key belongs to " + entry.auditor_id);
    }
    if (!issuedOk || !(BigInt(parseUtc(entry.use_from)) <= iat && iat <= BigInt(parseUtc(entry.use_until)))) {
      fail("outside-signing-window", "issued " + out.issued_at + ", but key " + entry.kid + " could sign only from " +
        entry.use_from + " to " + entry.use_until);
    }
    if (!expiresOk || exp > BigInt(parseUtc(entry.verify_until))) {
      fail("exceeds-key-validity", "valid until " + out.expires_at + ", beyond the key's verify-until " + entry.verify_until);
    }
    if (exp <= iat || exp - iat > MAX_LIFETIME) {
      fail("lifetime-too-long", "validity period is empty or longer than any certificate may have");
    }
    if (!issuedOk || iat > nowBig + BigInt(CLOCK_SKEW)) fail("not-yet-valid", "issued " + out.issued_at + ", which is in the future");
    if (!expiresOk || nowBig >= exp) fail("expired", "expired on " + out.expires_at.slice(0, 10));
    if (crl) {
      const hit = crl.entries.find((e) => e.cert_id === out.cert_id);
      if (hit) fail("revoked", "revoked by HQ on " + hit.revoked_at.slice(0, 10) + ": " + hit.reason);
    }
    return verdict;
  }

  function describe(claims, entry, trust) {
    return {
      cert_id: CERT_ID_B32(claims.cert_id),
      station_code: claims.station_code,
      station_name: claims.station_name === undefined ? null : claims.station_name,
      result: claims.result,
      score: Number(claims.score),
      majors: Number(claims.majors),
      minors: Number(claims.minors),
      issued_at: formatUtc(claims.issued_at),
      expires_at: formatUtc(claims.expires_at),
      audit_date: claims.audit_date === undefined ? null : formatUtc(claims.audit_date * 86400n),
      audit_type: claims.audit_type === undefined ? null : claims.audit_type,
      checklist: claims.checklist_id + " " + claims.checklist_version,
      auditor_id: claims.auditor_id,
      auditor_name: entry.name,
      issuer: Number(claims.issuer),
      issuer_name: trust.issuer_name,
    };
  }

  function listsInfo(ctx) {
    const info = { trustlist_seq: Number(ctx.trust.seq), trustlist_issued_at: ctx.trust.issued_at, trustlist_next_update: ctx.trust.next_update };
    if (ctx.crl) {
      info.crl_seq = Number(ctx.crl.seq);
      info.crl_issued_at = ctx.crl.issued_at;
      info.crl_next_update = ctx.crl.next_update;
    }
    return info;
  }

  /* The hook the tests (and anyone) can call. context defaults to the page's embedded lists;
   * a test may pass {roots, trustlist, crl} of its own. Never throws: unusable lists and an
   * unsupported browser are verdicts of their own ("ERROR", "UNSUPPORTED"). */
  async function inspectorVerify(text, nowSeconds, context) {
    const missing = await unsupportedReason();
    if (missing) return { valid: false, verdict: "UNSUPPORTED", reasons: [missing], warnings: [] };
    const now = nowSeconds === undefined || nowSeconds === null ? Math.floor(Date.now() / 1000) : Number(nowSeconds);
    let ctx;
    try {
      ctx = context ? await loadContext(context) : await pageContext();
    } catch (e) {
      if (e instanceof UnusableError) return { valid: false, verdict: "ERROR", reasons: [(e.code || "trustlist-unusable") + ": " + e.message], warnings: [] };
      throw e;
    }
    try {
      return await verifyPayload(text, ctx, now);
    } catch (e) {
      return { valid: false, verdict: "ERROR", reasons: ["internal-error: " + (e && e.message)], warnings: [] };
    }
  }

  let supportPromise = null;
  function supported() {
    if (!supportPromise) supportPromise = ed25519Supported();
    return supportPromise;
  }

  /* Why this browser cannot decide at all, as a reason ("code: text"), or null. WebCrypto exists
   * only in secure contexts: https://, file:// and localhost, not plain http://. */
  async function unsupportedReason() {
    if (root.isSecureContext === false) {
      return "insecure-context: this page was opened over plain http://, where browsers offer no signature checking; open it over https://";
    }
    if (!(await supported())) return "no-ed25519: this browser cannot check Ed25519 signatures";
    return null;
  }

  let pagePromise = null;
  function pageContext() {
    if (!pagePromise) pagePromise = loadContext(pageConfig());
    return pagePromise;
  }

  function pageConfig() {
    const el = root.document && root.document.getElementById("inspector-config");
    if (!el) return {};
    try {
      return JSON.parse(el.textContent);
    } catch (e) {
      return {};
    }
  }

  root.InspectorVerify = {
    PayloadError: PayloadError,
    UnusableError: UnusableError,
    parseScanned: parseScanned,
    decodePayload: decodePayload,
    parseClaims: parseClaims,
    loadContext: loadContext,
    verifyPayload: verifyPayload,
    ed25519Supported: ed25519Supported,
    unsupportedReason: unsupportedReason,
    parseJson: parseJson,
    canonicalJson: canonicalJson,
    reasonCode: reasonCode,
    pageConfig: pageConfig,
    formatUtc: formatUtc,
    parseUtc: parseUtc,
  };
  root.inspectorVerify = inspectorVerify;
})(typeof window !== "undefined" ? window : globalThis);
