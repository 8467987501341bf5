// @ts-check
/* Station Inspector phone verifier: what the officer sees. Written for this project.
 *
 * Reads the certificate text from the URL fragment (index.html#PSC1:..., percent-decoded, since
 * camera apps may encode it) or from the paste box, asks verdict.js for the verdict and shows it:
 * a large VALID / INVALID in words (English and Hindi), an icon and a colour (never colour
 * alone), the station code and names, the certificate id, validity dates, auditor and issuer,
 * HQ's decision (granted on which date, by which organisation; or suspended, withdrawn,
 * superseded, revoked, or "awaiting HQ's decision"), the reasons when invalid, and the dates of
 * the lists used.
 *
 * Dates: one rule for everything on the page, the one of inspector/certificates/dates.py: the
 * Indian form DD-MM-YYYY on India's calendar (IST, Asia/Kolkata, UTC+05:30, no daylight saving
 * since 1945), computed here rather than by the phone's own time zone. A date that is already a
 * day (HQ's decision day) is shown as that day.
 *
 * The offline web app: on a page HQ published (config "offline"), served over https:// or from
 * localhost, it registers sw.js, which keeps the page on the phone; the lists panel says whether
 * it is kept and whether the phone is offline, and a newer page the service worker fetched is
 * offered with a reload button.
 *
 * Test builds only (the config says "test_mode": true; pages HQ publishes for officers never
 * do, so a crafted link cannot turn back the clock):
 *   #now=EPOCH&p=TEXT   decide at a fixed time
 *   #vectors            run every embedded test vector; results go to #vector-results (JSON)
 *
 * Reasons and warnings are {code, message} objects (reasons.js); this file reads reason.code.
 */
(function (/** @type {any} */ root) {
  "use strict";

  const V = root.InspectorVerify;
  const R = root.InspectorReasons;
  const doc = root.document;
  /** @param {string} id @returns {any} an element of index.html */
  const $ = (id) => doc.getElementById(id);

  const RESULT_NAMES = [
    ["NOT CERTIFIED", "प्रमाणित नहीं"],
    ["CONDITIONALLY CERTIFIED", "सशर्त प्रमाणित"],
    ["CERTIFIED", "प्रमाणित"],
  ];
  const AUDIT_TYPES = ["Stage 1 audit", "Certification audit", "Surveillance audit", "Recertification audit"];

  // What each reason code means to an officer, in English and Hindi: every code of Python's
  // inspector.errors.ReasonCode (tests/web/test_reason_codes.py checks it), then the page's own.
  // Malformed input (the codes of psc1.PayloadError) is shown as DAMAGED.
  const REASONS = {
    "clock-wrong": ["This phone's date and time are wrong (earlier than HQ's lists). Set the correct date and time, then scan again.",
      "इस फ़ोन की तारीख़/समय ग़लत है। सही करें और फिर से स्कैन करें।"],
    "unknown-key": ["Signed by a key that HQ has not enrolled.", "ऐसी कुंजी से हस्ताक्षरित जिसे मुख्यालय ने पंजीकृत नहीं किया।"],
    "bad-signature": ["The signature does not match: the certificate was altered or forged.", "हस्ताक्षर मेल नहीं खाता: प्रमाणपत्र बदला गया या जाली है।"],
    "revoked-key": ["HQ has revoked the auditor's key.", "मुख्यालय ने लेखा परीक्षक की कुंजी रद्द कर दी है।"],
    "wrong-purpose": ["This key may not sign certificates.", "यह कुंजी प्रमाणपत्र पर हस्ताक्षर के लिए अधिकृत नहीं है।"],
    "auditor-mismatch": ["The auditor named in the certificate does not own the signing key.", "प्रमाणपत्र में लिखा लेखा परीक्षक कुंजी का स्वामी नहीं है।"],
    "outside-signing-window": ["Signed outside the period in which the auditor's key could sign.", "कुंजी की अनुमत अवधि के बाहर हस्ताक्षरित।"],
    "not-yet-valid": ["Issued in the future: the certificate or this phone's clock is wrong.", "भविष्य की तारीख़ में जारी: प्रमाणपत्र या फ़ोन की घड़ी ग़लत है।"],
    "expired": ["The certificate has expired.", "प्रमाणपत्र की वैधता समाप्त हो गई है।"],
    "exceeds-key-validity": ["The certificate claims validity beyond what HQ allows for this key.", "प्रमाणपत्र की वैधता कुंजी की अनुमत सीमा से आगे है।"],
    "lifetime-too-long": ["The certificate's validity period is empty or longer than allowed.", "वैधता अवधि शून्य है या अनुमत सीमा से अधिक है।"],
    "revoked": ["HQ has revoked this certificate.", "मुख्यालय ने यह प्रमाणपत्र रद्द कर दिया है।"],
    "no-trust": ["This page holds no trust list from HQ. Get the current verify page from HQ.",
      "इस पेज में मुख्यालय की विश्वसनीय सूची नहीं है। मुख्यालय से नया पेज लें।"],
    "record-mismatch": ["The certificate record and its QR code disagree.", "प्रमाणपत्र का रिकॉर्ड और उसका QR कोड मेल नहीं खाते।"],
    // HQ's decision (the certificate status list)
    "not-decided": ["Awaiting HQ's decision: HQ has not granted this certificate yet, so it is not in force.",
      "मुख्यालय के निर्णय की प्रतीक्षा है: मुख्यालय ने यह प्रमाणपत्र अभी स्वीकृत नहीं किया है, इसलिए यह लागू नहीं है।"],
    "suspended": ["HQ has suspended this certificate.", "मुख्यालय ने यह प्रमाणपत्र निलंबित कर दिया है।"],
    "withdrawn": ["HQ has withdrawn this certificate.", "मुख्यालय ने यह प्रमाणपत्र वापस ले लिया है।"],
    "superseded": ["Replaced by a newer certificate for the station: ask for the current one.",
      "थाने के नए प्रमाणपत्र ने इसका स्थान ले लिया है: वर्तमान प्रमाणपत्र माँगें।"],
    // the page's own: its lists, the browser, itself
    "trustlist-unusable": ["This verify page's trust list cannot be used. Get the current page from HQ.", "इस पेज की विश्वसनीय सूची उपयोग योग्य नहीं है।"],
    "crl-unusable": ["This verify page's revocation list cannot be used. Get the current page from HQ.", "इस पेज की रद्द-सूची उपयोग योग्य नहीं है।"],
    "status-unusable": ["This verify page's list of HQ's decisions cannot be used. Get the current page from HQ.",
      "इस पेज की मुख्यालय-निर्णय सूची उपयोग योग्य नहीं है। मुख्यालय से नया पेज लें।"],
    "no-ed25519": ["This browser cannot check the signature (no Ed25519 in WebCrypto). Use a current Chrome, Firefox or Safari.",
      "यह ब्राउज़र हस्ताक्षर जाँच नहीं सकता। नया Chrome, Firefox या Safari उपयोग करें।"],
    "insecure-context": ["This page was opened over plain http://, where browsers cannot check signatures. Open it over https://.",
      "यह पेज http:// पर खुला है, जहाँ हस्ताक्षर नहीं जाँचे जा सकते। https:// पर खोलें।"],
    "internal-error": ["This page hit an internal error and cannot decide. Get the current verify page from HQ.",
      "इस पेज में आंतरिक त्रुटि हुई; यह जाँच नहीं कर सकता। मुख्यालय से नया पेज लें।"],
  };
  const DAMAGED = ["The code is damaged, incomplete or not a station certificate.", "कोड क्षतिग्रस्त, अधूरा या थाना प्रमाणपत्र नहीं है।"];

  const WARNINGS = {
    "crl-stale": "The revocation list is past its update date: a recent revocation may be missing. Get the current page from HQ.",
    "no-crl": "No revocation list in this page: cannot confirm the certificate is not revoked.",
    "trustlist-stale": "The trust list is past its update date. Get the current page from HQ.",
    "status-stale": "HQ's list of decisions is past its update date: a recent suspension or withdrawal may be missing. Open the page with signal, or get the current page from HQ.",
  };

  // HQ's decision on a certificate, as a row of the details: [English, Hindi].
  const STATUS_WORDS = {
    "granted": ["Granted", "स्वीकृत"],
    "suspended": ["Suspended", "निलंबित"],
    "withdrawn": ["Withdrawn", "वापस लिया गया"],
    "superseded": ["Superseded", "प्रतिस्थापित"],
    "revoked": ["Revoked", "रद्द"],
    "not-decided": ["Awaiting HQ's decision", "मुख्यालय के निर्णय की प्रतीक्षा"],
  };

  /** @param {{code: string}} reason @returns {string} */
  const code = (reason) => reason.code;

  function el(tag, attrs, ...children) {
    const node = doc.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v;
      else if (k === "lang") node.lang = v;
      else node.setAttribute(k, v);
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  // Dates: pyjson.js's indianDate / indianMoment (the file comment says the rule).
  const J = root.InspectorPyJSON;
  const showDate = J.indianDate;
  const showMoment = J.indianMoment;
  /** A date that never breaks across lines at its hyphens. @param {string} text */
  const date = (text) => el("span", { class: "date" }, showDate(text));

  function groupId(id) {
    return id ? id.match(/.{1,4}/g).join("-") : "";
  }

  function row(label, labelHi, value, cls) {
    return el("div", { class: "row " + (cls || "") },
      el("dt", {}, label, el("span", { class: "hi", lang: "hi" }, labelHi)),
      el("dd", {}, value));
  }

  function stationNames(res, config) {
    const known = (config.stations || {})[res.station_code] || null;
    const en = res.station_name || (known && known.en) || "";
    const hi = (known && known.hi) || "";
    return { en: en, hi: hi, registered: known };
  }

  /* HQ's decision on the certificate: granted on which day and by whom (the status list's issuer,
   * the organisation whose reviewers decide), or what else, since when and why. */
  function decisionRow(res) {
    if (!res.status) return null;
    const words = STATUS_WORDS[res.status] || [res.status, ""];
    const by = res.lists && res.lists.status_issuer_name;
    const value = el("span", { id: "decision", "data-status": res.status },
      el("strong", {}, words[0]), " · ", el("span", { lang: "hi" }, words[1]));
    if (res.status === "granted") {
      value.append(" on ", el("span", { id: "decided-on", class: "date" }, showDate(res.decided_on)));
      if (by) value.append(el("span", { class: "by", id: "decided-by" }, "by " + by));
    } else if (res.status !== "not-decided") {
      if (res.status_since) value.append(" on ", date(res.status_since));
      if (res.superseded_by) value.append(el("span", { class: "by" }, "by certificate " + groupId(res.superseded_by.trim())));
      if (res.status_reason) value.append(el("span", { class: "by" }, res.status_reason));
      if (res.decided_on) value.append(el("span", { class: "by" }, "granted on ", date(res.decided_on), by ? " by " + by : ""));
    }
    return row("HQ's decision", "मुख्यालय का निर्णय", value, "big");
  }

  function render(res, config, source, scroll) {
    const box = $("result");
    box.hidden = false;
    const verdict = res.verdict;
    const first = res.reasons.length ? code(res.reasons[0]) : "";
    box.setAttribute("data-verdict", verdict);
    box.setAttribute("data-reason", first);
    box.setAttribute("data-reasons", res.reasons.map(code).join(" "));
    box.setAttribute("data-warnings", (res.warnings || []).map(code).join(" "));
    box.setAttribute("data-station", res.station_code || "");
    box.setAttribute("data-cert-id", res.cert_id || "");
    box.className = "result " + verdict.toLowerCase();
    box.replaceChildren();

    const words = {
      VALID: ["✔", "VALID", "मान्य", "Genuine certificate, granted by HQ and in force."],
      INVALID: ["✘", "INVALID", "अमान्य", "Do not accept this certificate."],
      ERROR: ["!", "CANNOT CHECK", "जाँच संभव नहीं", "This page cannot decide. Get the current verify page from HQ."],
      UNSUPPORTED: ["!", "CANNOT CHECK", "जाँच संभव नहीं", "This browser cannot check the signature here."],
    }[verdict];
    if (first === "not-decided") words[3] = "Awaiting HQ's decision: do not accept this certificate yet.";
    box.append(
      el("div", { class: "verdict", id: "verdict", role: "status" },
        el("span", { class: "icon", "aria-hidden": "true" }, words[0]),
        el("span", { class: "word" }, words[1]),
        el("span", { class: "word-hi", lang: "hi" }, words[2])),
      el("p", { class: "verdict-note" }, words[3])
    );

    if (res.reasons.length) {
      const list = el("ul", { class: "reasons", id: "reasons" });
      for (const reason of res.reasons) {
        const known = REASONS[reason.code];
        const human = known || DAMAGED;
        // data-text: which text the officer reads (the code's own, or the one for a damaged code)
        list.append(el("li", { "data-code": reason.code, "data-text": known ? reason.code : "damaged" },
          human[0], el("span", { class: "hi", lang: "hi" }, human[1]),
          el("span", { class: "code" }, reason.code + ": " + reason.message)));
      }
      box.append(el("h2", {}, "Why ", el("span", { lang: "hi" }, "कारण")), list);
    }
    if (res.warnings && res.warnings.length) {
      const list = el("ul", { class: "warnings", id: "warnings" });
      for (const w of res.warnings) list.append(el("li", { "data-code": w.code }, "⚠ " + (WARNINGS[w.code] || w.message)));
      box.append(list);
    }
    if (res.station_code) {
      const names = stationNames(res, config);
      if (verdict !== "VALID") {
        box.append(el("h2", { class: "claimed-title" }, "What this certificate says (it is not valid) ",
          el("span", { lang: "hi" }, "प्रमाणपत्र में लिखा है (मान्य नहीं)")));
      }
      box.append(
        el("div", { class: "station" },
          el("div", { class: "station-code", id: "station-code" }, res.station_code),
          names.en ? el("div", { class: "station-en", id: "station-en" }, names.en) : null,
          names.hi ? el("div", { class: "station-hi", id: "station-hi", lang: "hi" }, names.hi) : null,
          verdict === "VALID" ? el("p", { class: "compare" }, "Check that this matches the station and the printed certificate. ",
            el("span", { lang: "hi" }, "थाने और छपे प्रमाणपत्र से मिलान करें।")) : null)
      );
      const details = el("dl", { class: verdict === "VALID" ? "details" : "details claimed" });
      if (res.result !== undefined && res.result !== null) {
        const name = RESULT_NAMES[res.result] || ["?", "?"];
        details.append(row("Result", "परिणाम", el("span", { class: "result-name r" + res.result },
          name[0], " · ", el("span", { lang: "hi" }, name[1]), " · score " + res.score + "/100"), "big"));
      }
      details.append(
        row("Certificate id", "प्रमाणपत्र संख्या", el("span", { class: "mono", id: "cert-id" }, groupId(res.cert_id))),
        row("Valid", "वैधता", el("span", {}, date(res.issued_at), " – ", date(res.expires_at)), "big"),
        row("Auditor", "लेखा परीक्षक", (res.auditor_name ? res.auditor_name + " " : "") + "(" + res.auditor_id + ")"),
        row("Issued by", "जारीकर्ता", res.issuer_name || "")
      );
      const decision = decisionRow(res);
      if (decision) details.append(decision);
      if (res.audit_type !== null && res.audit_type !== undefined) details.append(row("Audit", "ऑडिट", AUDIT_TYPES[res.audit_type] || ""));
      if (res.audit_date) details.append(row("Audit date", "ऑडिट तिथि", date(res.audit_date)));
      details.append(row("Nonconformities", "गैर-अनुरूपताएँ", res.majors + " major, " + res.minors + " minor"));
      box.append(details);
    }

    if (source || res.lists) {
      const l = res.lists;
      const used = l
        ? [" Lists used: trust list no. " + l.trustlist_seq + " of ", date(l.trustlist_issued_at),
          ...(l.crl_seq ? [", revocation list no. " + l.crl_seq + " of ", date(l.crl_issued_at)] : [", no revocation list"]),
          ...(l.status_seq ? [", HQ's status list no. " + l.status_seq + " of ", date(l.status_issued_at)] : [", no status list"]),
          ". Dates in IST."]
        : [];
      box.append(el("p", { class: "source", id: "source" }, source || "", ...used));
    }
    if (scroll) box.scrollIntoView({ block: "start" });
    // For the layout test at 360 px: the right edge of the widest element on the page.
    const right = Math.max(0, ...Array.from(doc.body.querySelectorAll("*"), (e) => e.getBoundingClientRect().right));
    doc.body.setAttribute("data-content-right", String(Math.ceil(right)));
  }

  function renderLists(config, ctx, error) {
    const out = $("lists");
    out.replaceChildren();
    if (error) {
      out.append(el("p", { class: "bad" }, "Lists unusable: " + error));
      return;
    }
    const t = ctx.trust;
    out.append(el("p", {}, "Trust list no. " + t.seq + " of ", date(t.issued_at), " (" + t.issuer_name + ", " +
      t.auditors.length + " auditor keys)"));
    const crl = ctx.crl;
    out.append(crl
      ? el("p", {}, "Revocation list no. " + crl.seq + " of ", date(crl.issued_at), ", next update ", date(crl.next_update),
        " (" + crl.entries.length + " revoked)")
      : el("p", {}, "No revocation list in this page."));
    const st = ctx.status;
    out.append(st
      ? el("p", { id: "status-list" }, "HQ's certificate status list no. " + st.seq + " of ", date(st.issued_at), ", next update ",
        date(st.next_update), " (" + st.issuer_name + ": " + st.grantedCount + " granted, " + st.changes.length +
        " suspended, withdrawn, superseded or revoked)")
      : el("p", { id: "status-list" }, "No certificate status list in this page: no certificate can be shown as granted."));
    out.append(el("p", {}, "HQ root key" + (ctx.roots.length > 1 ? "s " : " ") + ctx.roots.map((k) => k.kidHex).join(", ")));
    if (config.published_at) out.append(el("p", { id: "published" }, "Page published ", date(config.published_at), "."));
    out.append(el("p", {}, "Dates are Indian Standard Time (IST, Asia/Kolkata), written DD-MM-YYYY."));
  }

  async function check(text, now, source, scroll) {
    const res = await root.inspectorVerify(text, now);
    render(res, config, source, scroll);
    return res;
  }

  /* The payload the URL fragment carries, or null. */
  function fragmentPayload(hash) {
    let raw = hash.replace(/^#/, "");
    if (!raw) return null;
    try {
      raw = decodeURIComponent(raw);
    } catch (e) {
      // not valid percent-encoding: use it as it is; the decoder will say what is wrong
    }
    return raw;
  }

  async function runVectors() {
    const embedded = $("inspector-vectors");
    const out = $("vector-results");
    const data = JSON.parse(embedded.textContent);
    const contexts = data.contexts || {};
    const results = [];
    for (const vector of data.vectors) {
      let res;
      try {
        res = await root.inspectorVerify(vector.text, vector.now, vector.context ? contexts[vector.context] : undefined);
      } catch (e) {
        res = { verdict: "EXCEPTION", reasons: [R.reason("internal-error", String(e && e.message))], warnings: [] };
      }
      let renderError = null;
      try {
        render(res, config); // every result must also display without error
        if ($("result").getAttribute("data-verdict") !== res.verdict) renderError = "result element shows another verdict";
      } catch (e) {
        renderError = String((e && e.message) || e);
      }
      results.push({
        id: vector.id,
        render_error: renderError,
        verdict: res.verdict,
        reason: res.reasons.length ? code(res.reasons[0]) : null,
        reasons: res.reasons.map(code),
        texts: Array.from(doc.querySelectorAll("#reasons li"), (li) => li.getAttribute("data-text")),
        warnings: (res.warnings || []).map(code),
        status: res.status === undefined ? null : res.status,
        decided_on: res.decided_on === undefined ? null : res.decided_on,
        superseded_by: res.superseded_by === undefined ? null : res.superseded_by,
        station: res.station_code || null,
        cert_id: res.cert_id || null,
      });
    }
    out.textContent = JSON.stringify({ done: true, count: results.length, results: results }).replace(/</g, "\\u003c");
    out.setAttribute("data-done", "1");
    doc.body.setAttribute("data-vectors-done", String(results.length));
  }

  async function route() {
    const hash = root.location.hash;
    if (config.test_mode && hash === "#vectors") return runVectors();
    if (config.test_mode && hash.startsWith("#now=")) {
      const m = /^#now=([0-9]+)&p=(.*)$/s.exec(hash);
      if (m) {
        const text = fragmentPayload("#" + m[2]);
        $("test-banner").hidden = false;
        $("test-banner").textContent = "TEST BUILD: time fixed at " + showMoment(Number(m[1]));
        return check(text, Number(m[1]), "Checked at the fixed test time.");
      }
    }
    const text = fragmentPayload(hash);
    if (text !== null) {
      $("payload").value = text;
      return check(text, undefined, "Checked " + showMoment(Math.floor(Date.now() / 1000)) + " on this phone.");
    }
    return null;
  }

  const config = V.pageConfig();

  /* The offline web app: register sw.js (only on a page HQ published, over https:// or from
   * localhost: a service worker needs a secure http(s) origin) and say what the phone holds. */
  function keepOffline() {
    const out = $("offline");
    const workers = root.navigator.serviceWorker;
    const web = root.location.protocol === "https:" || root.location.protocol === "http:";
    const state = (name, text) => {
      doc.body.setAttribute("data-sw", name);
      out.textContent = text + (root.navigator.onLine === false ? " This phone is offline now: the page and its lists are the copy kept on it." : "");
    };
    // Whether this very page came through the service worker (the kept copy, or its fetch).
    doc.body.setAttribute("data-sw-controlled", workers && workers.controller ? "1" : "0");
    if (!config.offline || !web || !root.isSecureContext || !workers) {
      state("off", "This page is not kept for use without signal here.");
      return;
    }
    workers.addEventListener("message", (event) => {
      const data = event.data || {};
      if (data.type !== "page-updated") return;
      const note = $("update");
      note.hidden = false;
      $("update-text").textContent = "A newer verify page from HQ (published " + showDate(data.published_at) +
        ") is now kept on this phone. Reload to check with its lists. ";
      doc.body.setAttribute("data-update", data.published_at || "");
    });
    $("reload").addEventListener("click", () => root.location.reload());
    state("registering", "Keeping this page on the phone for use without signal…");
    workers.register("sw.js", { scope: "./" })
      .then(() => workers.ready)
      .then(() => state("ready", "This page is kept on this phone: it works without signal, and fetches HQ's newer page when there is signal."))
      .catch((e) => state("failed", "This page could not be kept on this phone (" + String(e && e.message) + "); it needs signal to open."));
  }

  /* The embedded Devanagari font (printing.devanagari_font_css): say whether it is in use, for the tests. */
  function checkFont() {
    if (!doc.fonts || !doc.fonts.load) return;
    doc.fonts.load('700 1em "Inspector Devanagari"', "मान्य").then((faces) => {
      doc.body.setAttribute("data-devanagari", faces.length ? "loaded" : "missing");
    }, () => doc.body.setAttribute("data-devanagari", "missing"));
  }

  async function start() {
    $("boot").hidden = true; // the script runs: the "could not start" notice goes
    checkFont();
    keepOffline();
    if (config.test_mode) {
      $("test-banner").hidden = false;
      $("test-banner").textContent = "TEST BUILD – not for officers";
    }
    doc.body.setAttribute("data-ready", "0");
    const missing = await V.unsupportedReason();
    if (missing) {
      render({ valid: false, verdict: "UNSUPPORTED", reasons: [missing], warnings: [] }, config);
      doc.body.setAttribute("data-ready", "1");
      return;
    }
    try {
      renderLists(config, await V.pageContext(), null);
    } catch (e) {
      renderLists(config, null, e.message);
    }
    $("check-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const input = $("payload");
      if (!input.value.trim()) return;
      await check(input.value, undefined, "Checked " + showMoment(Math.floor(Date.now() / 1000)) + " on this phone.", true);
      input.select(); // the next scan from a hand-held scanner replaces this one
    });
    root.addEventListener("hashchange", route);
    await route();
    doc.body.setAttribute("data-ready", "1");
  }

  start().catch((e) => {
    const failure = R.reason("internal-error", String(e && e.message));
    const box = $("result");
    box.hidden = false;
    box.setAttribute("data-verdict", "ERROR");
    box.setAttribute("data-reason", failure.code);
    box.textContent = "Internal error: " + failure.message;
  });
})(window);
