import COpenSSL

/// The tool's version and the libssl it runs against.
public enum ToolVersion {
    public static let version = "0.1.0"

    /// `OpenSSL_version(OPENSSL_VERSION)` of the library loaded at run time, not the headers.
    public static var openSSL: String {
        String(cString: prunedoc_OpenSSL_version_text())
    }
}
