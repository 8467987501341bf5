// @ts-check
/* Station Inspector phone verifier: the verdict on one scanned certificate.
 *
 * Written for this project (no third-party code). It is the second implementation of
 * inspector/certificates/verify.py (verify_payload) and must reach the same verdict with the same
 * reason codes on every input; tests/web/webvectors.py builds the shared test vectors and
 * tests/web/test_web_verifier.py runs them in Chromium. Reasons and warnings are {code, message}
 * objects (reasons.js), with the Python verifier's codes.
 *
 * Trust comes only from what HQ published into this page (see inspector/hq/publish.py), the
 * JSON in the element with id "inspector-config" (a script element of type application/json):
 *     {"format": "inspector-verifier/v1", "roots": [base64 raw Ed25519 keys],
 *      "trustlist": "<trust-list file text>", "crl": "<CRL file text>" | null,
 *      "stations": {"CODE": {"en": ..., "hi": ...}}, "base_url": ..., "published_at": ...}
 * The trust list and the CRL are checked here again, against the pinned roots (trust.js).
 * The page makes no network request of any kind (its Content-Security-Policy forbids them).
 *
 * The scripts, in the order publish.py inlines them: cbor.js, ed25519.js, reasons.js,
 * pyjson.js, crypto.js, trust.js, psc1.js, verdict.js (this file), page.js. Entry points:
 *   index.html#PSC1:...                the officer's link (the QR holds https://host/path#PSC1:...)
 *   paste box                          a hand-held scanner types the text and presses Enter
 *   index.html#now=EPOCH&p=PSC1:...    tests only: decide at a fixed time (shown on the page)
 *   index.html#vectors                 tests only: run the vectors embedded by the test build
 *   window.inspectorVerify(text, nowEpochSeconds[, context]) -> Promise<result>
 */
(function (/** @type {any} */ root) {
  "use strict";

  const C = root.InspectorCBOR;
  const R = root.InspectorReasons;
  const J = root.InspectorPyJSON;
  const K = root.InspectorCrypto;
  const T = root.InspectorTrust;
  const P = root.InspectorPSC1;
  const { reason, PayloadError, UnusableError } = R;
  const { formatUtc, parseUtc, MAX_DATETIME } = J;

  const CLOCK_SKEW = 300;
  const MAX_LIFETIME = BigInt((3 * 365 + 30) * 86400); // trust.lists.MAX_CERT_LIFETIME_DAYS

  /**
   * @typedef {{valid: boolean, verdict: "VALID" | "INVALID" | "ERROR" | "UNSUPPORTED",
   *   reasons: Reason[], warnings: Reason[], [detail: string]: any}} Result
   */

  /**
   * A verdict that decides nothing: the lists are unusable ("ERROR") or the browser cannot
   * check ("UNSUPPORTED").
   * @param {"ERROR" | "UNSUPPORTED"} verdict
   * @param {Reason} why
   * @returns {Result}
   */
  function undecided(verdict, why) {
    return { valid: false, verdict: verdict, reasons: [why], warnings: [] };
  }

  /**
   * Decide one scanned text at time now (epoch seconds) under ctx = {trust, crl}, in the order
   * of verify.verify_payload: transport and envelope, clock, key known, purpose, signature,
   * revoked key; then claims, and every failing claim check is reported (first = primary).
   * @param {unknown} text what was scanned: a PSC1 payload or a verify link
   * @param {{trust: any, crl: any}} ctx what trust.loadContext returned
   * @param {number} now epoch seconds
   * @returns {Promise<Result>}
   */
  async function verifyPayload(text, ctx, now) {
    const trust = ctx.trust;
    const crl = ctx.crl;
    /** @type {Result} */
    const verdict = { valid: true, verdict: "VALID", reasons: [], warnings: [], lists: listsInfo(ctx), checked_at: formatUtc(now) };
    const out = verdict;
    /** @param {string} code @param {string} message */
    const fail = (code, message) => {
      verdict.valid = false;
      verdict.verdict = "INVALID";
      verdict.reasons.push(reason(code, message));
      return verdict;
    };
    /** @param {string} code @param {string} message */
    const warn = (code, message) => {
      verdict.warnings.push(reason(code, message));
    };
    if (now >= trust.nextUpdate) warn("trustlist-stale", "the trust list is past its next update (" + trust.next_update + ")");
    if (!crl) warn("no-crl", "no revocation list: cannot confirm the certificate was not revoked");
    else if (now >= crl.nextUpdate) warn("crl-stale", "the revocation list is past its next update (" + crl.next_update + ")");

    let decoded;
    try {
      decoded = P.decodePayload(P.parseScanned(text));
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
      if (await entry.key.verify(K.DOMAIN.CERT, decoded.payload, decoded.signature, decoded.protected)) signed.push(entry);
    }
    if (!signed.length) return fail("bad-signature", "the signature does not match: the certificate was altered or forged");
    const revoked = signed.find((entry) => entry.status === "revoked");
    if (revoked) {
      return fail("revoked-key", "key " + revoked.kid + " of " + revoked.auditor_id + " was revoked by HQ on " +
        revoked.revoked_at.slice(0, 10) + " (" + revoked.reason + ")");
    }
    // A renewed key has one entry per signing window it held (inspector.certificates.verify
    // ._window_for): the certificate is judged by the window that holds its issue time, else
    // by the key's latest entry.
    const signers = signed.filter((e) => e.public_key === signed[0].public_key);
    let claims;
    try {
      claims = P.parseClaims(decoded.payload);
    } catch (e) {
      if (e instanceof PayloadError) return fail(e.code, e.message);
      throw e;
    }
    const iat = claims.issued_at;
    const inWindow = (e) => iat <= MAX_DATETIME && BigInt(parseUtc(e.use_from)) <= iat && iat <= BigInt(parseUtc(e.use_until));
    const entry = signers.find(inWindow) || signers[signers.length - 1];
    Object.assign(out, describe(claims, entry, trust));
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
      cert_id: C.base32Encode(claims.cert_id),
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

  /**
   * The hook the tests (and anyone) can call. context defaults to the page's embedded lists;
   * a test may pass {roots, trustlist, crl} of its own. Never throws: unusable lists and an
   * unsupported browser are verdicts of their own ("ERROR", "UNSUPPORTED").
   * @param {unknown} text
   * @param {number | null} [nowSeconds] epoch seconds (default: this device's clock)
   * @param {{roots?: unknown[], trustlist?: unknown, crl?: unknown}} [context]
   * @returns {Promise<Result>}
   */
  async function inspectorVerify(text, nowSeconds, context) {
    const missing = await unsupportedReason();
    if (missing) return undecided("UNSUPPORTED", missing);
    const now = nowSeconds === undefined || nowSeconds === null ? Math.floor(Date.now() / 1000) : Number(nowSeconds);
    let ctx;
    try {
      ctx = context ? await T.loadContext(context) : await pageContext();
    } catch (e) {
      if (e instanceof UnusableError) return undecided("ERROR", e.reason);
      throw e;
    }
    try {
      return await verifyPayload(text, ctx, now);
    } catch (e) {
      return undecided("ERROR", reason("internal-error", String(e && e.message)));
    }
  }

  /** @type {Promise<boolean> | null} */
  let supportPromise = null;
  function supported() {
    if (!supportPromise) supportPromise = K.ed25519Supported();
    return supportPromise;
  }

  /**
   * Why this browser cannot decide at all, or null. WebCrypto exists only in secure contexts:
   * https://, file:// and localhost, not plain http://.
   * @returns {Promise<Reason | null>}
   */
  async function unsupportedReason() {
    if (root.isSecureContext === false) {
      return reason("insecure-context",
        "this page was opened over plain http://, where browsers offer no signature checking; open it over https://");
    }
    if (!(await supported())) return reason("no-ed25519", "this browser cannot check Ed25519 signatures");
    return null;
  }

  /** @type {Promise<any> | null} */
  let pagePromise = null;
  function pageContext() {
    if (!pagePromise) pagePromise = T.loadContext(pageConfig());
    return pagePromise;
  }

  /**
   * The config HQ embedded in the page ({} when there is none or it is not JSON).
   * @returns {any}
   */
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
    reason: reason,
    parseScanned: P.parseScanned,
    decodePayload: P.decodePayload,
    parseClaims: P.parseClaims,
    loadContext: T.loadContext,
    verifyPayload: verifyPayload,
    ed25519Supported: K.ed25519Supported,
    unsupportedReason: unsupportedReason,
    parseJson: J.parseJson,
    canonicalJson: J.canonicalJson,
    pageConfig: pageConfig,
    formatUtc: formatUtc,
    parseUtc: parseUtc,
  };
  root.inspectorVerify = inspectorVerify;
})(typeof window !== "undefined" ? window : globalThis);
