import COpenSSL
import Foundation

/// The outcome of one verification, in OpenSSL's words (what `openssl s_client` would say).
public struct VerifyResult: Sendable, Equatable {
    public var ok: Bool
    public var error: String?
    public var json: JSONValue {
        .object([("ok", .bool(ok)), ("error", error.map(JSONValue.string) ?? .null)])
    }
}

enum SystemRoots {
    static let bundlePaths = ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"]

    /// SSL_CERT_FILE when set (Go's crypto/x509 honours it on Linux too), else the first bundle
    /// that exists (Debian, then RHEL); read once.
    static let certificates: (path: String?, certs: [Certificate]) = {
        let env = ProcessInfo.processInfo.environment["SSL_CERT_FILE"].map { [$0] } ?? []
        for p in env + bundlePaths {
            if let d = FileManager.default.contents(atPath: p) {
                return (p, Certificate.loadPEM(Array(d)))
            }
        }
        return (nil, [])
    }()
}

/// OpenSSL's verdict on the presented chain against a set of trusted certificates.
enum OpenSSLVerify {
    static func verify(chain: [Certificate], trusted: [Certificate], at date: Date) -> VerifyResult {
        guard let leaf = chain.first, let store = X509_STORE_new() else { return VerifyResult(ok: false, error: "no certificate") }
        defer { X509_STORE_free(store) }
        for c in trusted { X509_STORE_add_cert(store, c.x509) }
        ERR_clear_error()
        guard let untrusted = prunedoc_sk_X509_new_null() else { return VerifyResult(ok: false, error: "out of memory") }
        defer { prunedoc_sk_X509_free(untrusted) }
        for c in chain.dropFirst() { _ = prunedoc_sk_X509_push(untrusted, c.x509) }
        guard let ctx = X509_STORE_CTX_new() else { return VerifyResult(ok: false, error: "out of memory") }
        defer { X509_STORE_CTX_free(ctx) }
        guard X509_STORE_CTX_init(ctx, store, leaf.x509, untrusted) == 1 else { return VerifyResult(ok: false, error: "init failed") }
        // Like Go, any trusted certificate may anchor a chain, not only self-signed roots.
        X509_STORE_CTX_set_flags(ctx, UInt(X509_V_FLAG_PARTIAL_CHAIN))
        X509_STORE_CTX_set_time(ctx, 0, time_t(date.timeIntervalSince1970))
        let rc = X509_verify_cert(ctx)
        ERR_clear_error()
        if rc == 1 { return VerifyResult(ok: true, error: nil) }
        let code = X509_STORE_CTX_get_error(ctx)
        let depth = X509_STORE_CTX_get_error_depth(ctx)
        let text = String(cString: X509_verify_cert_error_string(Int(code)))
        return VerifyResult(ok: false, error: "\(text) (depth \(depth))")
    }
}

/// Go's `Certificate.Verify` as crypto/tls calls it: leaf validity, then the host name, then
/// chain building with the presented certificates as intermediates, SHA-1 refused.
enum GoVerifier {
    static let maxSignatureChecks = 100

    /// nil when Go would accept the chain; otherwise the `x509: …` text.
    static func verify(chain: [Certificate], roots: [Certificate], host: String, now: Date) -> String? {
        guard let leaf = chain.first else { return "x509: missing ASN.1 contents; use ParseCertificate" }
        if let e = validity(leaf, now) { return e }
        if let e = HostnameCheck.goError(for: leaf, host: host) { return e }
        if roots.contains(where: { $0.der == leaf.der }) { return keyUsage(leaf) }
        var checks = 0
        let intermediates = Array(chain.dropFirst())
        let (found, err) = buildChains(leaf, current: [leaf], roots: roots, intermediates: intermediates, checks: &checks, now: now)
        if found == 0 { return err ?? "x509: certificate signed by unknown authority" }
        return keyUsage(leaf)
    }

    static func validity(_ c: Certificate, _ now: Date) -> String? {
        if let nb = c.notBeforeDate, now < nb {
            return "x509: certificate has expired or is not yet valid: current time \(goLocalTime(now)) is before \(goTime(nb))"
        }
        if let na = c.notAfterDate, now > na {
            return "x509: certificate has expired or is not yet valid: current time \(goLocalTime(now)) is after \(goTime(na))"
        }
        return nil
    }

    private static func keyUsage(_ leaf: Certificate) -> String? {
        let flags = X509_get_extension_flags(leaf.x509)
        guard flags & UInt32(EXFLAG_XKUSAGE) != 0 else { return nil }
        let xku = X509_get_extended_key_usage(leaf.x509)
        if xku & UInt32(XKU_SSL_SERVER) != 0 || xku & UInt32(XKU_ANYEKU) != 0 { return nil }
        return "x509: certificate specifies an incompatible key usage"
    }

    /// `CheckSignatureFrom` with SHA-1 refused.
    static func checkSignature(_ c: Certificate, from parent: Certificate) -> String? {
        if (parent.version == 3 && !parent.basicConstraintsValid) || (parent.basicConstraintsValid && !parent.isCA) {
            return "x509: invalid signature: parent certificate cannot sign this kind of certificate"
        }
        let ku = X509_get_key_usage(parent.x509)
        if X509_get_extension_flags(parent.x509) & UInt32(EXFLAG_KUSAGE) != 0 && ku & UInt32(KU_KEY_CERT_SIGN) == 0 {
            return "x509: invalid signature: parent certificate cannot sign this kind of certificate"
        }
        if c.insecureSignature {
            let alg = c.info.signatureAlgorithm
            let override = (alg == "SHA1-RSA" || alg == "ECDSA-SHA1") ? " (temporarily override with GODEBUG=x509sha1=1)" : ""
            return "x509: cannot verify signature: insecure algorithm \(alg)" + override
        }
        if !c.signatureVerifies(by: parent) { return parent.goVerificationErrorForKeyType }
        return nil
    }

    /// Go's `findPotentialParents`: same subject as the issuer, matching key IDs first.
    private static func potentialParents(_ c: Certificate, in pool: [Certificate]) -> [Certificate] {
        var match: [Certificate] = [], one: [Certificate] = [], mismatch: [Certificate] = []
        for p in pool where p.rawSubject == c.rawIssuer {
            if p.subjectKeyId == c.authorityKeyId {
                match.append(p)
            } else if p.subjectKeyId.isEmpty != c.authorityKeyId.isEmpty {
                one.append(p)
            } else {
                mismatch.append(p)
            }
        }
        return match + one + mismatch
    }

    private static func buildChains(
        _ c: Certificate, current: [Certificate], roots: [Certificate], intermediates: [Certificate],
        checks: inout Int, now: Date
    ) -> (Int, String?) {
        var chains = 0
        var err: String? = nil
        var hint: (String, Certificate)? = nil
        func consider(_ candidate: Certificate, isRoot: Bool) {
            if current.contains(where: { $0.der == candidate.der }) { return }
            checks += 1
            if checks > maxSignatureChecks {
                err = "x509: signature check attempts limit reached while verifying certificate chain"
                return
            }
            if let e = checkSignature(c, from: candidate) {
                if hint == nil { hint = (e, candidate) }
                return
            }
            err = validity(candidate, now)
            if err == nil && !isRoot && !candidate.isCA {
                err = "x509: certificate is not authorized to sign other certificates"
            }
            if let e = err {
                if hint == nil { hint = (e, candidate) }
                return
            }
            if isRoot {
                chains += 1
            } else {
                let (n, childErr) = buildChains(candidate, current: current + [candidate], roots: roots,
                                                intermediates: intermediates, checks: &checks, now: now)
                chains += n
                err = childErr
            }
        }
        for r in potentialParents(c, in: roots) { consider(r, isRoot: true) }
        for i in potentialParents(c, in: intermediates) { consider(i, isRoot: false) }
        if chains > 0 { return (chains, nil) }
        if err == nil {
            var s = "x509: certificate signed by unknown authority"
            if let (e, cert) = hint {
                s += " (possibly because of \(GoQuoted.quote(e)) while trying to verify candidate authority certificate \(GoQuoted.quote(cert.goName)))"
            }
            err = s
        }
        return (0, err)
    }
}
