// @ts-check
/* Station Inspector phone verifier: HQ's certificate status list, and the page's three lists.
 *
 * Written for this project (no third-party code); the second implementation of
 * inspector/trust/status.py (StatusList, StatusChange) and documents.load_status. A certificate
 * is VALID only when this list, signed by a pinned HQ root in the domain "PSA/status/v1", shows it
 * as granted; every other status is a reason of its own (verdict.js applyStatus).
 *
 * The list is sized for a nation, so a lookup never scans it:
 *   granted  one canonical base64 string of fixed 12-byte records sorted by certificate id: the
 *            10-byte id (the QR's cti) and the decision day, a big-endian uint16 counted from
 *            1970-01-01. Found by binary search over the decoded bytes.
 *   changes  the few certificates not plainly granted ({cert_id, status, since, decided_at?,
 *            reason?, superseded_by?}), found through a Map built once when the list loads.
 * The page accepts exactly the lists load_status accepts: canonical base64, whole records, sorted
 * and unique, no id both granted and changed, a reason for suspended, withdrawn and revoked,
 * superseded_by exactly when superseded, every id a certificate id.
 *
 * loadContext, the one entry point for all three embedded lists, is here too: it turns a
 * ListError into an UnusableError naming which list ("trustlist-unusable", "crl-unusable",
 * "status-unusable").
 */
(function (/** @type {any} */ root) {
  "use strict";

  const R = root.InspectorReasons;
  const J = root.InspectorPyJSON;
  const K = root.InspectorCrypto;
  const T = root.InspectorTrust;
  const C = root.InspectorCBOR;
  const ListError = R.ListError;
  const { parseUtc, formatUtc } = J;

  const STATUS_FORMAT = "inspector-status/v1";
  const RECORD_SIZE = 12; // 10-byte cti + uint16 decision day
  const CTI_SIZE = 10;
  const CHANGE_STATUSES = ["granted", "suspended", "withdrawn", "superseded", "revoked"]; // status.CertStatus
  const NEEDS_REASON = ["suspended", "withdrawn", "revoked"];

  /**
   * status.cti_of: the 10-byte id of a certificate id (16 base32 characters, dashes and spaces
   * dropped, any case), or null.
   * @param {string} certId
   * @returns {Uint8Array | null}
   */
  function ctiOf(certId) {
    const text = certId.replace(/-/g, "").replace(/ /g, "").toUpperCase();
    if (!/^[A-Z2-7]{16}$/.test(text)) return null;
    return C.base32Decode(text);
  }

  /** @param {Uint8Array} a @param {number} at @param {Uint8Array} b @returns {number} */
  function compareCti(a, at, b) {
    for (let i = 0; i < CTI_SIZE; i++) {
      const d = a[at + i] - b[i];
      if (d) return d;
    }
    return 0;
  }

  /**
   * status._granted_blob: the decoded records of `granted`; throws ListError.
   * @param {string} value
   * @param {string} what
   * @returns {Uint8Array}
   */
  function grantedRecords(value, what) {
    const raw = K.b64decode(value);
    if (raw === null) throw new ListError(what + ": granted: not canonical base64");
    if (raw.length % RECORD_SIZE) throw new ListError(what + ": granted: not a whole number of " + RECORD_SIZE + "-byte records");
    for (let at = RECORD_SIZE; at < raw.length; at += RECORD_SIZE) {
      if (compareCti(raw, at - RECORD_SIZE, raw.subarray(at, at + CTI_SIZE)) >= 0) {
        throw new ListError(what + ": granted: records must be sorted by certificate id, each once");
      }
    }
    return raw;
  }

  /**
   * One entry of `changes` (status.StatusChange: strict, extra fields forbidden).
   * @param {unknown} item
   * @param {string} where
   */
  function statusChange(item, where) {
    if (!(item instanceof Map)) throw new ListError(where + ": input should be an object");
    const f = new T.Fields(item, where, ["cert_id", "status", "since", "decided_at", "reason", "superseded_by"]);
    const change = {
      cert_id: f.str("cert_id"),
      status: f.str("status"),
      since: f.time("since"),
      decided_at: f.time("decided_at", true),
      reason: f.text("reason", true),
      superseded_by: f.str("superseded_by", true),
    };
    if (!T.CERT_ID_PY.test(change.cert_id)) f.fail("cert_id", "not a certificate id");
    if (!CHANGE_STATUSES.includes(change.status)) f.fail("status", "not a certificate status");
    if (change.superseded_by !== null && !T.CERT_ID_PY.test(change.superseded_by)) f.fail("superseded_by", "not a certificate id");
    if (change.status === "granted") throw new ListError(where + ": a granted certificate belongs in 'granted', not in 'changes'");
    if ((change.status === "superseded") !== (change.superseded_by !== null)) {
      throw new ListError(where + ": superseded_by is set exactly when the status is superseded");
    }
    if (NEEDS_REASON.includes(change.status) && change.reason === null) {
      throw new ListError(where + ": a " + change.status + " certificate needs a reason");
    }
    return change;
  }

  /**
   * The certificate status list (documents.load_status), signed by a pinned root. Throws ListError.
   * @param {string} text the signed file's text
   * @param {InstanceType<typeof K.PublicKey>[]} pinned the HQ roots of the page
   * @param {string} [what] how messages name the list
   * @returns {Promise<any>} the list: its fields, `records` (the granted bytes), `byId` (changes by
   *   hex cti), `grantedCount`, `issuer`, `issuedAt` / `nextUpdate` in epoch seconds
   */
  async function loadStatus(text, pinned, what) {
    what = what || "certificate status list";
    const { signer, payload } = await T.openSigned(text, STATUS_FORMAT, K.DOMAIN.STATUS, pinned, what);
    const f = new T.Fields(payload, what, ["seq", "issued_at", "next_update", "issuer_name", "issuer_key", "granted", "changes"]);
    const doc = {
      seq: f.int("seq", 1),
      issued_at: f.time("issued_at"),
      next_update: f.time("next_update"),
      issuer_name: f.text("issuer_name"),
      issuer_key: f.str("issuer_key"),
      granted: f.str("granted"),
      // changes may be left out (an empty list), but never null
      changes: payload.has("changes") ? f.list("changes") : [],
    };
    const records = grantedRecords(doc.granted, what);
    doc.changes = doc.changes.map((item, index) => statusChange(item, what + ": changes." + index));
    if (!(parseUtc(doc.next_update) > parseUtc(doc.issued_at))) throw new ListError(what + ": next_update must be after issued_at");
    /** @type {Map<string, any>} */
    const byId = new Map();
    for (const change of doc.changes) {
      const cti = ctiOf(change.cert_id);
      if (cti === null) throw new ListError(what + ": " + JSON.stringify(change.cert_id) + " is not a certificate id (16 characters A-Z, 2-7)");
      const key = C.hex(cti);
      if (byId.has(key)) throw new ListError(what + ": certificate " + change.cert_id + " is listed twice in changes");
      byId.set(key, change);
      if (grantedDay(records, cti) !== null) throw new ListError(what + ": a certificate is both granted and changed");
    }
    let issuer;
    try {
      issuer = await K.PublicKey.fromB64(doc.issuer_key, "certificate status list issuer key");
    } catch (e) {
      throw new ListError(what + ": " + e.message);
    }
    if (!issuer.equals(signer)) throw new ListError(what + ": issuer_key is not the key that signed it");
    doc.records = records;
    doc.byId = byId;
    doc.grantedCount = records.length / RECORD_SIZE;
    doc.issuer = issuer;
    doc.issuedAt = parseUtc(doc.issued_at);
    doc.nextUpdate = parseUtc(doc.next_update);
    return doc;
  }

  /**
   * StatusList.granted_day: the decision day (days since 1970-01-01) of a granted certificate,
   * by binary search over the sorted records; null if it is not granted.
   * @param {Uint8Array} records
   * @param {Uint8Array} cti
   * @returns {number | null}
   */
  function grantedDay(records, cti) {
    let lo = 0;
    let hi = records.length / RECORD_SIZE;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const order = compareCti(records, mid * RECORD_SIZE, cti);
      if (order < 0) lo = mid + 1;
      else if (order > 0) hi = mid;
      else {
        const at = mid * RECORD_SIZE + CTI_SIZE;
        return (records[at] << 8) | records[at + 1];
      }
    }
    return null;
  }

  /**
   * StatusList.lookup: {status, change, decided_on ("YYYY-MM-DD" or null)} of certificate `cti`,
   * or null when the list does not hold it (not decided).
   * @param {any} status the loaded list
   * @param {Uint8Array} cti
   * @returns {{status: string, change: any, decided_on: string | null} | null}
   */
  function lookup(status, cti) {
    const change = status.byId.get(C.hex(cti));
    if (change) return { status: change.status, change: change, decided_on: change.decided_at ? change.decided_at.slice(0, 10) : null };
    const day = grantedDay(status.records, cti);
    if (day === null) return null;
    return { status: "granted", change: null, decided_on: formatUtc(day * 86400).slice(0, 10) };
  }

  /**
   * Everything a verdict needs, from the page's config (or a test's): {roots, trust, crl, status}.
   * Throws UnusableError ("trustlist-unusable", "crl-unusable" or "status-unusable") when a list
   * cannot be used. A missing CRL or status list is null: the verdict says what that means.
   * @param {{roots?: unknown[], trustlist?: unknown, crl?: unknown, status?: unknown}} config
   * @returns {Promise<{roots: any[], trust: any, crl: any, status: any}>}
   */
  async function loadContext(config) {
    const roots = await T.loadRoots(config.roots).catch((e) => {
      throw new R.UnusableError("trustlist-unusable", e.message);
    });
    if (typeof config.trustlist !== "string") throw new R.UnusableError("trustlist-unusable", "no trust list is embedded in this page");
    const trust = await T.loadTrustlist(config.trustlist, roots).catch((e) => {
      throw new R.UnusableError("trustlist-unusable", e.message);
    });
    let crl = null;
    if (typeof config.crl === "string") {
      crl = await T.loadCrl(config.crl, roots).catch((e) => {
        throw new R.UnusableError("crl-unusable", e.message);
      });
    }
    let status = null;
    if (typeof config.status === "string") {
      status = await loadStatus(config.status, roots).catch((e) => {
        throw new R.UnusableError("status-unusable", e.message);
      });
    }
    return { roots: roots, trust: trust, crl: crl, status: status };
  }

  root.InspectorStatus = {
    STATUS_FORMAT: STATUS_FORMAT,
    loadStatus: loadStatus,
    lookup: lookup,
    grantedDay: grantedDay,
    loadContext: loadContext,
  };
})(typeof window !== "undefined" ? window : globalThis);
