// @ts-check
/* Station Inspector phone verifier: the Ed25519 public-key screen.
 *
 * Written for this project; a line-for-line port of inspector/ed25519_point.py. WebCrypto
 * (measured in Chromium 156) imports the small-order key 01 00..00 and then accepts a signature
 * with R = a small-order point and S = 0 for any message, exactly like OpenSSL. So every key the
 * page trusts (pinned HQ root, trust-list issuer, each auditor key) must pass this screen first:
 * a canonical encoding (y < p, no negative zero) of a point in the prime-order subgroup.
 * Pure BigInt arithmetic on public data, run once per key when the lists are loaded.
 */
(function (/** @type {any} */ root) {
  "use strict";

  const P = 2n ** 255n - 19n;
  const L = 2n ** 252n + 27742317777372353535851937790883648493n;

  /** @param {bigint} a @returns {bigint} */
  function mod(a) {
    const r = a % P;
    return r < 0n ? r + P : r;
  }

  /** @param {bigint} base @param {bigint} exp @returns {bigint} */
  function pow(base, exp) {
    let result = 1n;
    base = mod(base);
    while (exp > 0n) {
      if (exp & 1n) result = (result * base) % P;
      base = (base * base) % P;
      exp >>= 1n;
    }
    return result;
  }

  const D = mod(-121665n * pow(121666n, P - 2n));
  const SQRT_M1 = pow(2n, (P - 1n) / 4n);
  const IDENTITY = [0n, 1n, 1n, 0n];

  /** @param {Uint8Array} raw @returns {Point} */
  function decode(raw) {
    if (raw.length !== 32) throw new Error("public key must be 32 bytes, got " + raw.length);
    let value = 0n;
    for (let i = 31; i >= 0; i--) value = (value << 8n) | BigInt(raw[i]);
    const sign = value >> 255n;
    const y = value & ((1n << 255n) - 1n);
    if (y >= P) throw new Error("non-canonical public key encoding (y >= p)");
    const u = mod(y * y - 1n);
    const v = mod(D * y * y + 1n);
    const x2 = mod(u * pow(v, P - 2n));
    let x = pow(x2, (P + 3n) / 8n);
    if (mod(x * x - x2) !== 0n) x = mod(x * SQRT_M1);
    if (mod(x * x - x2) !== 0n) throw new Error("public key is not a point on the curve");
    if (x === 0n && sign === 1n) throw new Error("non-canonical public key encoding (negative zero)");
    if ((x & 1n) !== sign) x = P - x;
    return [x, y, 1n, mod(x * y)];
  }

  /** @typedef {bigint[]} Point extended coordinates [X, Y, Z, T] */

  /** @param {Point} a @param {Point} b @returns {Point} */
  function add(a, b) {
    const [x1, y1, z1, t1] = a;
    const [x2, y2, z2, t2] = b;
    const aa = mod((y1 - x1) * (y2 - x2));
    const bb = mod((y1 + x1) * (y2 + x2));
    const cc = mod(2n * t1 * t2 * D);
    const dd = mod(2n * z1 * z2);
    const e = bb - aa;
    const f = dd - cc;
    const g = dd + cc;
    const h = bb + aa;
    return [mod(e * f), mod(g * h), mod(f * g), mod(e * h)];
  }

  /** @param {bigint} scalar @param {Point} point @returns {Point} */
  function mul(scalar, point) {
    let result = IDENTITY;
    let addend = point;
    while (scalar > 0n) {
      if (scalar & 1n) result = add(result, addend);
      addend = add(addend, addend);
      scalar >>= 1n;
    }
    return result;
  }

  /** @param {Point} point @returns {boolean} */
  function isIdentity(point) {
    const [x, y, z] = point;
    return mod(x) === 0n && mod(y - z) === 0n;
  }

  /**
   * Throws an Error saying why unless raw is a canonical point of prime order L.
   * @param {Uint8Array} raw 32 bytes
   */
  function checkPublicKey(raw) {
    const point = decode(raw);
    if (isIdentity(mul(8n, point))) throw new Error("small-order public key (would accept forged signatures)");
    if (!isIdentity(mul(L, point))) {
      throw new Error("public key has a small-order component (not in the prime-order subgroup)");
    }
  }

  root.InspectorEd25519 = { checkPublicKey: checkPublicKey };
})(typeof window !== "undefined" ? window : globalThis);
