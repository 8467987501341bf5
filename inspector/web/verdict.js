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
 *      "status": "<certificate status list file text>" | null,
 *      "stations": {"CODE": {"en": ..., "hi": ...}}, "base_url": ..., "published_at": ...}
 * The lists are checked here again, against the pinned roots (trust.js, status.js). The
 * verification makes no network request of any kind (the page's Content-Security-Policy forbids
 * them); only the service worker (sw.js) fetches the page itself, to keep a newer copy.
 *
 * After every check of verify.verify_payload comes HQ's decision (verify.apply_status, applied
 * as services.scan.check_scan does): VALID only when the status list shows the certificate as
 * granted; else "not-decided" (not in the list, or no list), "suspended", "withdrawn",
 * "superseded" or "revoked".
 *
 * The scripts, in the order publish.py inlines them: cbor.js, ed25519.js, reasons.js,
 * pyjson.js, crypto.js, trust.js, status.js, psc1.js, verdict.js (this file), page.js. Entry points:
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
  const S = root.InspectorStatus;
  const P = root.InspectorPSC1;
  const { reason, PayloadError, UnusableError } = R;
  const { formatUtc, parseUtc, MAX_DATETIME } = J;
  // Messages give dates as people read them on the page: DD-MM-YYYY on India's calendar
  // (certificates/dates.py); the result's own fields stay in UTC.
  const day = J.indianDate;
  /** @param {string} utcText */
  const when = (utcText) => {
    const seconds = parseUtc(utcText);
    return seconds === null ? utcText : J.indianMoment(seconds);
  };

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
   * Decide one scanned text at time now (epoch seconds) under ctx = {trust, crl, status}, in the
   * order of verify.verify_payload: transport and envelope, clock, key known, purpose, signature,
   * revoked key; then claims, and every failing claim check is reported (first = primary); then
   * HQ's decision (applyStatus).
   * @param {unknown} text what was scanned: a PSC1 payload or a verify link
   * @param {{trust: any, crl: any, status: any}} ctx what status.loadContext returned
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
    if (now >= trust.nextUpdate) warn("trustlist-stale", "the trust list is past its next update (" + day(trust.next_update) + ")");
    if (!crl) warn("no-crl", "no revocation list: cannot confirm the certificate was not revoked");
    else if (now >= crl.nextUpdate) warn("crl-stale", "the revocation list is past its next update (" + day(crl.next_update) + ")");

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
      return fail("clock-wrong", "this phone's clock (" + J.indianMoment(now) + ") is earlier than the trust list's date (" + when(trust.issued_at) + ")");
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
        day(revoked.revoked_at) + " (" + revoked.reason + ")");
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
      fail("outside-signing-window", "issued " + when(out.issued_at) + ", but key " + entry.kid + " could sign only from " +
        when(entry.use_from) + " to " + when(entry.use_until));
    }
    if (!expiresOk || exp > BigInt(parseUtc(entry.verify_until))) {
      fail("exceeds-key-validity", "valid until " + when(out.expires_at) + ", beyond the key's verify-until " + when(entry.verify_until));
    }
    if (exp <= iat || exp - iat > MAX_LIFETIME) {
      fail("lifetime-too-long", "validity period is empty or longer than any certificate may have");
    }
    if (!issuedOk || iat > nowBig + BigInt(CLOCK_SKEW)) fail("not-yet-valid", "issued " + when(out.issued_at) + ", which is in the future");
    if (!expiresOk || nowBig >= exp) fail("expired", "expired on " + day(out.expires_at));
    if (crl) {
      const hit = crl.entries.find((e) => e.cert_id === out.cert_id);
      if (hit) fail("revoked", "revoked by HQ on " + day(hit.revoked_at) + ": " + hit.reason);
    }
    // The claims were read (a genuine signature): HQ's decision comes last, as in check_scan.
    const revokedAlready = verdict.reasons.some((r) => r.code === "revoked");
    applyStatus(out, claims, ctx.status, now, fail, warn, revokedAlready);
    return verdict;
  }

  /**
   * verify.apply_status: HQ's decision on top of every other check. VALID only when granted; no
   * status list at all means nothing was decided ("not-decided"). Sets `status` (granted, ...,
   * "not-decided", or null without a list), `decided_on` and `superseded_by` on the result.
   * @param {any} out the result so far
   * @param {any} claims the certificate's claims
   * @param {any} status the loaded status list, or null
   * @param {number} now epoch seconds
   * @param {(code: string, message: string) => any} fail
   * @param {(code: string, message: string) => void} warn
   */
  function applyStatus(out, claims, status, now, fail, warn, revokedAlready) {
    out.status = null;
    out.decided_on = null;
    if (!status) {
      fail("not-decided", "no certificate status list is in this page, so HQ's decision cannot be checked");
      return;
    }
    if (now >= status.nextUpdate) {
      warn("status-stale", "the certificate status list is past its next update (" + day(status.next_update) + "): a recent " +
        "suspension or withdrawal may be missing");
    }
    const found = S.lookup(status, claims.cert_id);
    if (!found) {
      out.status = "not-decided";
      fail("not-decided", "awaiting HQ's decision: HQ has not granted this certificate");
      return;
    }
    out.status = found.status;
    out.decided_on = found.decided_on;
    const change = found.change;
    if (found.status === "granted") return;
    out.status_since = change.since;
    out.status_reason = change.reason;
    const since = day(change.since);
    // Each code written out (tests/web/test_reason_codes.py reads them as literals).
    if (found.status === "superseded") {
      out.superseded_by = change.superseded_by;
      fail("superseded", "replaced on " + since + " by certificate " + change.superseded_by);
    } else if (found.status === "suspended") {
      fail("suspended", "HQ has suspended this certificate on " + since + ": " + change.reason);
    } else if (found.status === "withdrawn") {
      fail("withdrawn", "HQ has withdrawn this certificate on " + since + ": " + change.reason);
    } else if (!revokedAlready) {  // the CRL said so already: one reason, not two
      fail("revoked", "the certificate was revoked by HQ on " + since + ": " + change.reason);
    }
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
    if (ctx.status) {
      info.status_seq = Number(ctx.status.seq);
      info.status_issued_at = ctx.status.issued_at;
      info.status_next_update = ctx.status.next_update;
      info.status_issuer_name = ctx.status.issuer_name; // HQ: the organisation whose reviewers decide
    }
    return info;
  }

  /**
   * The hook the tests (and anyone) can call. context defaults to the page's embedded lists;
   * a test may pass {roots, trustlist, crl, status} of its own. Never throws: unusable lists and an
   * unsupported browser are verdicts of their own ("ERROR", "UNSUPPORTED").
   * @param {unknown} text
   * @param {number | null} [nowSeconds] epoch seconds (default: this device's clock)
   * @param {{roots?: unknown[], trustlist?: unknown, crl?: unknown, status?: unknown}} [context]
   * @returns {Promise<Result>}
   */
  async function inspectorVerify(text, nowSeconds, context) {
    const missing = await unsupportedReason();
    if (missing) return undecided("UNSUPPORTED", missing);
    const now = nowSeconds === undefined || nowSeconds === null ? Math.floor(Date.now() / 1000) : Number(nowSeconds);
    let ctx;
    try {
      ctx = context ? await S.loadContext(context) : await pageContext();
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
    if (!pagePromise) pagePromise = S.loadContext(pageConfig());
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
    loadContext: S.loadContext,
    pageContext: pageContext,
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
