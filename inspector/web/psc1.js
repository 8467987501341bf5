// @ts-check
/* Station Inspector phone verifier: the PSC1 text of a certificate's QR code.
 *
 * Written for this project (no third-party code); the second implementation of
 * inspector/certificates/psc1.py: parse_scanned (a bare payload or the whole verify link),
 * decode (PSC1: prefix, strict base32, deterministic CBOR, COSE_Sign1 with the protected header
 * {alg: EdDSA, kid}) and parse_claims (the certificate claims, checked as CertClaims checks
 * them). Every failure throws a PayloadError with psc1.py's code for the same input.
 */
(function (/** @type {any} */ root) {
  "use strict";

  const C = root.InspectorCBOR;
  const R = root.InspectorReasons;
  const J = root.InspectorPyJSON;
  const K = root.InspectorCrypto;
  const PayloadError = R.PayloadError;
  const { PY_SPACE, pyStrip, codePoints } = J;
  const { SIGNATURE_SIZE, KID_SIZE } = K;

  const PREFIX = "PSC1:";
  // The compact form (psc1.py, PREFIX_COMPACT): kid(8) || signature(64) || payload, the same
  // signature over the same Sig_structure, the protected header rebuilt from the kid.
  const PREFIX_COMPACT = "PSC2:";
  const PROTECTED_PREFIX = [0xa2, 0x01, 0x27, 0x04, 0x48]; // map(2), 1: -8, 4: bstr(8)
  const MAX_TEXT_LENGTH = 420;
  const MAX_SCANNED_LENGTH = 1024;
  const COSE_SIGN1_TAG = 18n;
  const UINT64_MAX = (1n << 64n) - 1n;

  // ------------------------------------------------------------------------------------------
  // transport and envelope (psc1.py: parse_scanned, decode)

  /**
   * The payload in scanned text: the text itself, or the fragment of a verify link.
   * @param {unknown} text
   * @returns {string}
   */
  function parseScanned(text) {
    if (typeof text !== "string") throw new PayloadError("bad-input", "scanned data must be text");
    if (codePoints(text) > MAX_SCANNED_LENGTH) {
      throw new PayloadError("too-long", "scanned text is longer than " + MAX_SCANNED_LENGTH + " characters");
    }
    const stripped = pyStrip(text);
    const head = Array.from(stripped).slice(0, 8).join("").toLowerCase();
    if (!head.startsWith("https://") && !head.startsWith("http://")) return stripped;
    const cut = stripped.indexOf("#");
    if (cut < 0) throw new PayloadError("bad-url", "verify link has no #PSC1: fragment");
    const link = stripped.slice(0, cut);
    const fragment = stripped.slice(cut + 1);
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
    // One rule on both verifiers (psc1.parse_scanned): HQ's page is served under a name, so a
    // bracketed IP literal is refused outright rather than validated two different ways.
    if (netloc.includes("[") || netloc.includes("]")) return null;
    let host = netloc.slice(netloc.lastIndexOf("@") + 1);
    host = host.split(":")[0];
    return host || null;
  }

  /**
   * Transport and envelope checks (psc1.decode, §8.6 steps 1-4); nothing in the payload is
   * believed yet.
   * @param {unknown} text the payload (what parseScanned returned)
   * @returns {{kid: Uint8Array, protected: Uint8Array, payload: Uint8Array, signature: Uint8Array}}
   */
  function decodePayload(text) {
    if (typeof text !== "string") throw new PayloadError("bad-input", "QR payload must be text");
    if (codePoints(text) > MAX_TEXT_LENGTH) {
      throw new PayloadError("too-long", "QR payload is longer than " + MAX_TEXT_LENGTH + " characters");
    }
    if (text.startsWith(PREFIX_COMPACT)) return decodeCompact(text.slice(PREFIX_COMPACT.length));
    if (!text.startsWith(PREFIX)) {
      throw new PayloadError("bad-prefix", "not a station certificate: the text must start with " + PREFIX + " or " + PREFIX_COMPACT);
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

  /* psc1._compact: kid || signature || payload, nothing else to check before the signature. */
  function decodeCompact(body) {
    let data;
    try {
      data = C.base32Decode(body);
    } catch (e) {
      if (e instanceof C.DecodeError) throw new PayloadError(e.code, e.message);
      throw e;
    }
    const head = KID_SIZE + SIGNATURE_SIZE;
    if (data.length <= head) {
      throw new PayloadError("bad-cose", "compact certificate is " + data.length + " bytes: kid, signature and claims need more");
    }
    const kid = data.slice(0, KID_SIZE);
    const prot = new Uint8Array(PROTECTED_PREFIX.length + KID_SIZE);
    prot.set(PROTECTED_PREFIX);
    prot.set(kid, PROTECTED_PREFIX.length);
    return { kid: kid, protected: prot, payload: data.slice(head), signature: data.slice(KID_SIZE, head) };
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

  // ------------------------------------------------------------------------------------------
  // the claims (psc1.py: parse_claims)

  /**
   * Strict claims decoding (psc1.parse_claims); only called after a signature passed.
   * @param {Uint8Array} payload the signed COSE payload
   * @returns {any} the claims by name (integers as BigInt, byte strings as Uint8Array)
   */
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

  root.InspectorPSC1 = {
    PREFIX: PREFIX,
    PREFIX_COMPACT: PREFIX_COMPACT,
    parseScanned: parseScanned,
    decodePayload: decodePayload,
    parseClaims: parseClaims,
  };
})(typeof window !== "undefined" ? window : globalThis);
