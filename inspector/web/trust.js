// @ts-check
/* Station Inspector phone verifier: the signed trust list and revocation list HQ put in the page.
 *
 * Written for this project (no third-party code); the second implementation of
 * inspector/trust/documents.py (load_trustlist, load_crl: the signed-document envelope, the HQ
 * root check, canonical JSON) and of the pydantic models of inspector/trust/lists.py (strict
 * mode, extra fields forbidden). The page checks both lists again against the pinned roots,
 * exactly as `inspector trust install` does, before it decides anything.
 *
 * A list that cannot be used throws ListError (Python: UserError); status.js's loadContext, the
 * one entry point, turns that into an UnusableError with the code "trustlist-unusable",
 * "crl-unusable" or "status-unusable". The certificate status list is in status.js.
 */
(function (/** @type {any} */ root) {
  "use strict";

  const R = root.InspectorReasons;
  const J = root.InspectorPyJSON;
  const K = root.InspectorCrypto;
  const ListError = R.ListError;
  const PublicKey = K.PublicKey;
  const { parseJson, parseCanonicalJson, parseUtc, pyStrip, codePoints, utf8 } = J;

  const TRUSTLIST_FORMAT = "inspector-trustlist/v1";
  const CRL_FORMAT = "inspector-crl/v1";

  // ------------------------------------------------------------------------------------------
  // signed documents (documents.py: _envelope_of, _open_signed)

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
      throw new ListError(what + ": " + e.message);
    }
    if (!isObject(document) || document.size !== 2 || !document.has("format") || !document.has("envelope")) {
      throw new ListError(what + ": not a signed document (expected keys 'format' and 'envelope')");
    }
    if (document.get("format") !== fmt) throw new ListError(what + ": format is not " + fmt);
    const env = document.get("envelope");
    if (!isObject(env)) throw new ListError(what + ": envelope is not an object");
    for (const key of env.keys()) {
      if (!["kid", "payload", "sig"].includes(key)) throw new ListError(what + ": envelope: extra field " + key);
    }
    for (const key of ["kid", "payload", "sig"]) {
      if (typeof env.get(key) !== "string") throw new ListError(what + ": envelope: " + key + " must be text");
    }
    if (!KID_HEX.test(env.get("kid"))) throw new ListError(what + ": envelope: kid must be 16 lowercase hex digits");
    return { kid: env.get("kid"), payload: env.get("payload"), sig: env.get("sig") };
  }

  async function openSigned(text, fmt, domain, pinned, what) {
    const env = envelopeOf(text, fmt, what);
    if (!pinned.length) throw new ListError(what + ": no HQ root key is pinned in this page");
    const candidates = pinned.filter((root) => root.kidHex === env.kid);
    if (!candidates.length) throw new ListError(what + ": signed by key " + env.kid + ", which is not a pinned HQ root");
    let payloadBytes;
    try {
      payloadBytes = utf8(env.payload);
    } catch (e) {
      throw new ListError(what + ": payload is not valid text");
    }
    let last = null;
    for (const key of candidates) {
      const sig = K.b64decode(env.sig);
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
    throw new ListError(last + " (altered, or not a " + fmt + " document)");
  }

  /* Field checks of the pydantic models in trust/lists.py (strict mode, extra fields forbidden). */
  class Fields {
    constructor(map, what, allowed) {
      this.map = map;
      this.what = what;
      for (const key of map.keys()) if (!allowed.includes(key)) this.fail(key, "extra inputs are not permitted");
    }

    fail(key, message) {
      throw new ListError(this.what + ": " + key + ": " + message);
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
    if (!isObject(map)) throw new ListError(what + ": input should be an object");
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
      throw new ListError(what + ": purposes must be sorted and unique");
    }
    if (!(parseUtc(entry.use_from) <= parseUtc(entry.use_until) && parseUtc(entry.use_until) <= parseUtc(entry.verify_until))) {
      throw new ListError(what + ": need use_from <= use_until <= verify_until");
    }
    const revoked = entry.status === "revoked";
    if (revoked !== (entry.revoked_at !== null)) throw new ListError(what + ": revoked_at is set exactly when status is revoked");
    if (revoked && entry.reason === null) throw new ListError(what + ": a revoked key needs a reason");
    if ((entry.status === "retired") !== (entry.retired_at !== null) && !revoked) {
      throw new ListError(what + ": retired_at is set exactly when status is retired");
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

  /**
   * The trust list (documents.load_trustlist): signed by a pinned root, every field checked, every
   * auditor key screened. Throws ListError.
   * @param {string} text the signed file's text
   * @param {InstanceType<typeof PublicKey>[]} pinned the HQ roots of the page
   * @param {string} [what] how messages name the list
   * @returns {Promise<any>} the list: its fields, `auditors` (each with its screened `key`),
   *   `issuer`, and `issuedAt` / `nextUpdate` in epoch seconds
   */
  async function loadTrustlist(text, pinned, what) {
    what = what || "trust list";
    const { signer, payload } = await openSigned(text, TRUSTLIST_FORMAT, K.DOMAIN.TRUSTLIST, pinned, what);
    const doc = listHeader(payload, what, "auditors");
    doc.auditors = doc.items.map((item, index) => trustEntry(item, what + ": auditors." + index));
    if (!(parseUtc(doc.next_update) > parseUtc(doc.issued_at))) throw new ListError(what + ": next_update must be after issued_at");
    let issuer;
    try {
      issuer = await PublicKey.fromB64(doc.issuer_key, "trust list issuer key");
    } catch (e) {
      throw new ListError(what + ": " + e.message);
    }
    if (!issuer.equals(signer)) throw new ListError(what + ": issuer_key is not the key that signed it");
    const seen = new Map([[issuer.kidHex, issuer]]);
    for (const [index, entry] of doc.auditors.entries()) {
      const where = what + ": auditors." + index + " (" + entry.auditor_id + ")";
      const key = await PublicKey.fromB64(entry.public_key, "public key of " + entry.auditor_id).catch((e) => {
        throw new ListError(where + ": " + e.message);
      });
      if (key.kidHex !== entry.kid) throw new ListError(where + ": kid " + entry.kid + " does not match the key");
      const other = seen.get(key.kidHex);
      if (other && !other.equals(key)) throw new ListError(where + ": kid " + key.kidHex + " collides with another key");
      seen.set(key.kidHex, key);
      entry.key = key;
    }
    doc.issuer = issuer;
    doc.issuedAt = parseUtc(doc.issued_at);
    doc.nextUpdate = parseUtc(doc.next_update);
    return doc;
  }

  /**
   * The revocation list (documents.load_crl), signed by a pinned root. Throws ListError.
   * @param {string} text the signed file's text
   * @param {InstanceType<typeof PublicKey>[]} pinned the HQ roots of the page
   * @param {string} [what] how messages name the list
   * @returns {Promise<any>} the list: its fields, `entries`, `issuer`, `issuedAt`, `nextUpdate`
   */
  async function loadCrl(text, pinned, what) {
    what = what || "revocation list";
    const { signer, payload } = await openSigned(text, CRL_FORMAT, K.DOMAIN.CRL, pinned, what);
    const doc = listHeader(payload, what, "entries");
    doc.entries = doc.items.map((item, index) => {
      const where = what + ": entries." + index;
      if (!isObject(item)) throw new ListError(where + ": input should be an object");
      const f = new Fields(item, where, ["cert_id", "reason", "revoked_at"]);
      const entry = { cert_id: f.str("cert_id"), reason: f.text("reason"), revoked_at: f.time("revoked_at") };
      if (!CERT_ID_PY.test(entry.cert_id)) f.fail("cert_id", "not a certificate id");
      return entry;
    });
    if (!(parseUtc(doc.next_update) > parseUtc(doc.issued_at))) throw new ListError(what + ": next_update must be after issued_at");
    const ids = doc.entries.map((e) => e.cert_id);
    if (new Set(ids).size !== ids.length) throw new ListError(what + ": a certificate id is listed twice");
    let issuer;
    try {
      issuer = await PublicKey.fromB64(doc.issuer_key, "revocation list issuer key");
    } catch (e) {
      throw new ListError(what + ": " + e.message);
    }
    if (!issuer.equals(signer)) throw new ListError(what + ": issuer_key is not the key that signed it");
    doc.issuer = issuer;
    doc.issuedAt = parseUtc(doc.issued_at);
    doc.nextUpdate = parseUtc(doc.next_update);
    return doc;
  }

  /**
   * @param {unknown[] | undefined} list base64 raw keys
   * @returns {Promise<InstanceType<typeof PublicKey>[]>}
   */
  async function loadRoots(list) {
    const roots = [];
    for (const [index, text] of (list || []).entries()) {
      roots.push(await PublicKey.fromB64(text, "pinned HQ root " + index));
    }
    return roots;
  }

  root.InspectorTrust = {
    TRUSTLIST_FORMAT: TRUSTLIST_FORMAT,
    CRL_FORMAT: CRL_FORMAT,
    CERT_ID_PY: CERT_ID_PY,
    loadTrustlist: loadTrustlist,
    loadCrl: loadCrl,
    loadRoots: loadRoots,
    // for status.js, which reads the third signed list the same way
    openSigned: openSigned,
    Fields: Fields,
  };
})(typeof window !== "undefined" ? window : globalThis);
