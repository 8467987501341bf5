// @ts-check
/* Station Inspector phone verifier: base64, key ids, COSE signing input and Ed25519 keys.
 *
 * Written for this project (no third-party code); the second implementation of what
 * inspector/crypto/signing.py does: strict base64, the kid (SHA-256 of "PSA/kid/v1" || raw key,
 * first 8 bytes), the COSE protected header {1: -8, 4: kid} and Sig_structure with the
 * signature domain as external AAD, and PublicKey, which screens every key with ed25519.js
 * (small-order and non-canonical keys refused) before WebCrypto ever sees it. Signatures with
 * S >= L or a non-canonical R are refused here, as OpenSSL refuses them.
 */
(function (/** @type {any} */ root) {
  "use strict";

  const C = root.InspectorCBOR;
  const ED = root.InspectorEd25519;
  const R = root.InspectorReasons;

  const SIGNATURE_SIZE = 64;
  const KID_SIZE = 8;
  const KID_TAG = "PSA/kid/v1";
  /** Signature domains (signing.Domain): what a signature is for, bound into what is signed. */
  const DOMAIN = { CERT: "PSA/cert/v1", TRUSTLIST: "PSA/trustlist/v1", CRL: "PSA/crl/v1", STATUS: "PSA/status/v1" };

  const ENC = new TextEncoder();

  // ------------------------------------------------------------------------------------------
  // base64

  const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

  /**
   * Standard base64 with padding.
   * @param {Uint8Array} bytes
   * @returns {string}
   */
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

  /**
   * Strict standard base64 (signing.b64decode): the one text form of the bytes, else null.
   * @param {unknown} text
   * @returns {Uint8Array | null}
   */
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

  // ------------------------------------------------------------------------------------------
  // hashes and the COSE signing input

  /** @param {Uint8Array} bytes @returns {Promise<Uint8Array>} */
  async function sha256(bytes) {
    return new Uint8Array(await root.crypto.subtle.digest("SHA-256", /** @type {BufferSource} */ (bytes)));
  }

  /** @param {...Uint8Array} parts @returns {Uint8Array} */
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

  /** @param {Uint8Array} raw @returns {Promise<Uint8Array>} */
  async function computeKid(raw) {
    return (await sha256(concat(ENC.encode(KID_TAG), raw))).slice(0, KID_SIZE);
  }

  /** @param {Uint8Array} kid @returns {Uint8Array} */
  function protectedHeader(kid) {
    return Uint8Array.from(C.encode({ t: "map", v: [[{ t: "int", v: 1n }, { t: "int", v: -8n }], [{ t: "int", v: 4n }, { t: "bytes", v: kid }]] }));
  }

  /** @param {string} domain @param {Uint8Array} protectedBytes @param {Uint8Array} payload @returns {Uint8Array} */
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

  // ------------------------------------------------------------------------------------------
  // Ed25519

  const ED_P = 2n ** 255n - 19n;
  const ED_L = 2n ** 252n + 27742317777372353535851937790883648493n;

  /** @param {Uint8Array} bytes @returns {bigint} */
  function littleEndian(bytes) {
    let n = 0n;
    for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
    return n;
  }

  /**
   * False for signatures OpenSSL (so the Python verifier) would refuse whatever the browser's
   * own rules: S must be below the group order L (no malleable S + L) and R must be a canonical
   * point encoding (OpenSSL compares R byte for byte with the one it computes). Browsers differ
   * here; this keeps every browser on the Python verifier's side.
   * @param {Uint8Array} signature 64 bytes
   * @returns {boolean}
   */
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

  /** An Ed25519 public key that passed the small-order screen (signing.PublicKey). */
  class PublicKey {
    constructor() {
      /** @type {Uint8Array} */
      this.raw = new Uint8Array(0);
      /** @type {Uint8Array} */
      this.kid = new Uint8Array(0);
      this.kidHex = "";
      this.b64 = "";
      /** @type {Uint8Array} */
      this.protected = new Uint8Array(0);
      /** @type {CryptoKey | null} */
      this.cryptoKey = null;
    }

    /**
     * Screen raw key bytes; throws ListError for an unsafe key.
     * @param {Uint8Array} raw
     * @returns {Promise<PublicKey>}
     */
    static async create(raw) {
      try {
        ED.checkPublicKey(raw);
      } catch (e) {
        throw new R.ListError("unsafe public key refused: " + e.message);
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

    /**
     * A key from its base64 text; throws ListError (message starting with `what`).
     * @param {unknown} text
     * @param {string} what
     * @returns {Promise<PublicKey>}
     */
    static async fromB64(text, what) {
      const raw = b64decode(text);
      if (raw === null) throw new R.ListError(what + ": not valid base64");
      try {
        return await PublicKey.create(raw);
      } catch (e) {
        throw new R.ListError(what + ": " + e.message);
      }
    }

    /**
     * Whether `signature` is this key's over `payload` in `domain` (COSE_Sign1 Sig_structure).
     * @param {string} domain one of DOMAIN
     * @param {Uint8Array} payload
     * @param {Uint8Array} signature
     * @param {Uint8Array} [protectedBytes] the protected header signed (default: this key's)
     * @returns {Promise<boolean>}
     */
    async verify(domain, payload, signature, protectedBytes) {
      if (signature.length !== SIGNATURE_SIZE || !strictSignature(signature)) return false;
      if (this.cryptoKey === null) {
        this.cryptoKey = await root.crypto.subtle.importKey("raw", /** @type {BufferSource} */ (this.raw), { name: "Ed25519" }, false, ["verify"]);
      }
      const message = sigStructure(domain, protectedBytes || this.protected, payload);
      return root.crypto.subtle.verify({ name: "Ed25519" }, this.cryptoKey, /** @type {BufferSource} */ (signature), /** @type {BufferSource} */ (message));
    }

    /** @param {unknown} other @returns {boolean} */
    equals(other) {
      return other instanceof PublicKey && C.equalBytes(this.raw, other.raw);
    }
  }

  /**
   * RFC 8032 test 1: proves this browser's WebCrypto really checks Ed25519 signatures.
   * @returns {Promise<boolean>}
   */
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

  root.InspectorCrypto = {
    SIGNATURE_SIZE: SIGNATURE_SIZE,
    KID_SIZE: KID_SIZE,
    DOMAIN: DOMAIN,
    b64encode: b64encode,
    b64decode: b64decode,
    strictSignature: strictSignature,
    PublicKey: PublicKey,
    ed25519Supported: ed25519Supported,
  };
})(typeof window !== "undefined" ? window : globalThis);
