import CBrotli
import COpenSSL
import CZlib

/// The system C libraries webserv links (as nginx does), by the versions they report at run time.
public enum SystemLibraries {
    /// "OpenSSL 3.0.x ..." as the loaded libssl says it.
    public static var openSSL: String { String(cString: OpenSSL_version(Int32(OPENSSL_VERSION))) }
    /// The loaded zlib's version, "1.2.13".
    public static var zlib: String { String(cString: zlibVersion()) }
    /// The loaded brotli encoder's version, "1.0.9".
    public static var brotli: String {
        let v = BrotliEncoderVersion()
        return "\(v >> 24).\((v >> 12) & 0xFFF).\(v & 0xFFF)"
    }
    /// One line for `webserv -v`.
    public static var summary: String { "\(openSSL), zlib \(zlib), brotli \(brotli)" }
}
