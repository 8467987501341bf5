// @ts-check
/* Station Inspector phone verifier: reasons, and the errors that carry them. Written for this project.
 *
 * Every reason and warning of a verdict is an object {code, message}: `code` a stable kebab-case
 * code, `message` the sentence a person reads. Nothing recovers a code from message text; read
 * `reason.code`.
 *
 * The codes are the Python verifier's, for the same cases: inspector.errors.ReasonCode for
 * verdict reasons, inspector.certificates.psc1.PayloadError's codes for malformed input. Only
 * the page's own conditions (its lists unusable, a browser that cannot check, an internal error)
 * and the warning codes are page-only. tests/web/test_reason_codes.py holds every file here to
 * that: each code is written as a string literal in a call of reason(), PayloadError,
 * UnusableError or (cbor.js) DecodeError, or of fail()/warn() in verdict.js.
 */

/**
 * One reason or warning of a verdict (every script of the page uses this type).
 * @typedef {{readonly code: string, readonly message: string}} Reason
 */

(function (/** @type {any} */ root) {
  "use strict";

  /**
   * One reason (or warning) of a verdict.
   * @param {string} code a stable kebab-case code (see the file comment for which)
   * @param {string} message the sentence a person reads
   * @returns {Reason}
   */
  function reason(code, message) {
    return Object.freeze({ code: code, message: message });
  }

  /** The scanned text or the certificate payload is malformed (Python: psc1.PayloadError). */
  class PayloadError extends Error {
    /**
     * @param {string} code a psc1.PayloadError code ("bad-url", "bad-claim", ...)
     * @param {string} message
     */
    constructor(code, message) {
      super(message);
      this.code = code;
    }

    /** @returns {Reason} */
    get reason() {
      return reason(this.code, this.message);
    }
  }

  /** A trust list, revocation list or key that cannot be used (Python: UserError); no code of
   * its own: loadContext says which list it was with an UnusableError. */
  class ListError extends Error {}

  /** The page's lists cannot be used at all: the verdict is "ERROR" with this reason. */
  class UnusableError extends Error {
    /**
     * @param {string} code "trustlist-unusable" or "crl-unusable"
     * @param {string} message
     */
    constructor(code, message) {
      super(message);
      this.code = code;
    }

    /** @returns {Reason} */
    get reason() {
      return reason(this.code, this.message);
    }
  }

  root.InspectorReasons = {
    reason: reason,
    PayloadError: PayloadError,
    ListError: ListError,
    UnusableError: UnusableError,
  };
})(typeof window !== "undefined" ? window : globalThis);
