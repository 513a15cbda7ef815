/// The htpasswd format nginx's auth_basic reads: `user:hash[:comment]` lines; `#` comment
/// lines, blank lines and lines without `:` are skipped; CRLF or LF line ends.
public enum Htpasswd {
    public struct Entry: Equatable, Sendable {
        public var user: [UInt8]
        public var hash: [UInt8]
    }

    /// How a stored hash is checked.
    public enum Scheme: Equatable, Sendable {
        /// `{PLAIN}text` (nginx).
        case plain
        /// `{SHA}base64(SHA-1(password))`.
        case sha
        /// `{SSHA}base64(SHA-1(password + salt) + salt)` (nginx).
        case saltedSHA
        /// `$apr1$`: Apache's MD5 (no libcrypt knows it).
        case apr1
        /// bcrypt, SHA-512-crypt, SHA-256-crypt, MD5-crypt, yescrypt: the system's crypt_r.
        case crypt
    }

    /// Every entry in file order.
    public static func parse(_ bytes: some Collection<UInt8>) -> [Entry] {
        var entries: [Entry] = []
        var line: [UInt8] = []
        func finish() {
            defer { line.removeAll(keepingCapacity: true) }
            if line.last == 0x0D { line.removeLast() }
            guard line.first != UInt8(ascii: "#"), let colon = line.firstIndex(of: 0x3A), colon > 0 else { return }
            let rest = line[(colon + 1)...]
            let hash = rest.prefix { $0 != 0x3A }
            entries.append(Entry(user: Array(line[..<colon]), hash: Array(hash)))
        }
        for byte in bytes {
            if byte == 0x0A { finish() } else { line.append(byte) }
        }
        if !line.isEmpty { finish() }
        return entries
    }

    /// The scheme of a stored hash, nil when webserv cannot check it (reported at load).
    public static func scheme(_ hash: [UInt8]) -> Scheme? {
        if hash.starts(with: "{PLAIN}".utf8) { return .plain }
        if hash.starts(with: "{SHA}".utf8) { return .sha }
        if hash.starts(with: "{SSHA}".utf8) { return .saltedSHA }
        if hash.starts(with: "$apr1$".utf8) { return .apr1 }
        for id in cryptPrefixes where hash.starts(with: id.utf8) { return .crypt }
        return nil
    }

    /// The crypt(3) methods Debian's libxcrypt has: bcrypt, SHA-2, MD5-crypt, yescrypt.
    static let cryptPrefixes = ["$2a$", "$2b$", "$2y$", "$5$", "$6$", "$1$", "$y$", "$gy$", "$7$"]

    /// Checks `password` against a hash of the `{…}` schemes; crypt and apr1 are the caller's.
    public static func verifyBuiltIn(_ password: some Collection<UInt8>, hash: [UInt8], scheme: Scheme) -> Bool {
        switch scheme {
        case .plain:
            return constantTimeEqual(Array(password), hash.dropFirst(7))
        case .sha:
            return constantTimeEqual(Array(Base64.encode(SHA1.hash(password)).utf8), hash.dropFirst(5))
        case .saltedSHA:
            guard let decoded = Base64.decode(hash.dropFirst(6)[...]), decoded.count > 20 else { return false }
            let salt = decoded[20...]
            return constantTimeEqual(SHA1.hash(Array(password) + salt), decoded.prefix(20))
        case .apr1, .crypt:
            return false
        }
    }

    /// Equal bytes, in a time that depends only on the lengths.
    public static func constantTimeEqual(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}
