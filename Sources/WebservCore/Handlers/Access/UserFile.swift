import CCrypt
import COpenSSL

#if canImport(Glibc)
    import Glibc
#endif

/// An `auth_basic_user_file`: read and checked at load (`-t` reports an unreadable file or a
/// hash webserv cannot check), read again when stat(2) shows it changed, as nginx reads it per
/// request. Owned by the loop thread alone, hence unchecked Sendable.
public final class UserFile: @unchecked Sendable, Hashable {
    public let path: String
    static let maxSize = 16 << 20
    private var entries: [Htpasswd.Entry] = []
    private var stamp: (mtime: Int, size: Int, inode: UInt64) = (0, 0, 0)
    private var checkedAt: Int?
    /// Why the last check could not read the file: every request until the next check gets it
    /// too (nginx reads the file per request), none is let in by the entries read before.
    private var failure: Int32?
    /// libcrypt's 32 KiB workspace, allocated on the first crypt check and reused.
    private var cryptData: UnsafeMutablePointer<crypt_data>?
    /// Credentials that matched a slow hash since the file was last read, as keyed digests
    /// (`credentialDigest`), oldest first. bcrypt, SHA-crypt and apr1 cost from a millisecond to
    /// hundreds (bcrypt's cost factor), on the loop that every client shares: a browser that
    /// sends the same credentials with each of a page's twenty requests would otherwise hold
    /// it twenty times. A remembered pair costs one SHA-256. A wrong password is never
    /// remembered: each guess pays the full hash, as with nginx (which remembers nothing).
    private var verified = Set<[UInt8]>()
    private var verifiedOrder: [[UInt8]] = []
    static let verifiedLimit = 1024
    /// Keys the digests, so the table holds nothing a password could be checked against offline.
    private let digestKey: [UInt8] = (0..<32).map { _ in UInt8.random(in: 0...255) }
    /// Slow hashes computed, and credentials remembered (tests watch them).
    public private(set) var slowChecks = 0
    var rememberedCount: Int { verified.count }

    /// Loads `path`; the error names the problem for `FILE:LINE: error:`.
    public init(path: String) throws(UserFileError) {
        self.path = path
        try reload(strict: true)
    }

    deinit { cryptData?.deallocate() }

    public static func == (a: UserFile, b: UserFile) -> Bool { a === b }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }

    /// Reads the file again when it changed (checked at most once a second, `now` in ms).
    /// Returns the errno of a file that cannot be read any more.
    func refresh(now: Int) -> Int32? {
        if let last = checkedAt, now - last < 1000 { return failure }
        checkedAt = now
        guard case .found(let info) = FileResolver.fileInfo(Array(path.utf8)) else {
            failure = errno == 0 ? ENOENT : errno
            return failure
        }
        failure = nil
        if (info.mtime, info.size, info.inode) == stamp { return nil }
        do {
            try reload(strict: false)
        } catch {
            failure = error.errno
        }
        return failure
    }

    /// `strict` (at load) refuses a hash webserv cannot check; a file changed later keeps such
    /// a line, which then matches no password: only that user is refused, as nginx does.
    private func reload(strict: Bool) throws(UserFileError) {
        let fd = FileResolver.cString(Array(path.utf8)).withUnsafeBufferPointer { open($0.baseAddress!, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { throw .unreadable(errno) }
        defer { Sys.close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .unreadable(errno) }
        // A device or FIFO (`/dev/zero`) would never end; a user file is a small regular file.
        guard st.st_mode & S_IFMT == S_IFREG, Int(st.st_size) <= Self.maxSize else { throw .notAFile }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw .unreadable(errno) }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[..<n])
            if bytes.count > Self.maxSize { throw .notAFile }
        }
        let parsed = Htpasswd.parse(bytes)
        for entry in parsed where strict && Htpasswd.scheme(entry.hash) == nil {
            throw .unsupported(user: String(decoding: entry.user, as: UTF8.self))
        }
        entries = parsed
        verified = []
        verifiedOrder = []
        stamp = (Int(st.st_mtim.tv_sec), Int(st.st_size), UInt64(st.st_ino))
    }

    func hasUser(_ user: ArraySlice<UInt8>) -> Bool {
        entries.contains { $0.user.elementsEqual(user) }
    }

    /// `password` matches the hash of `user`'s first entry (as nginx); false for a user the
    /// file does not name.
    func matches(user: ArraySlice<UInt8>, password: ArraySlice<UInt8>) -> Bool {
        guard let entry = entries.first(where: { $0.user.elementsEqual(user) }),
            let scheme = Htpasswd.scheme(entry.hash)
        else { return false }
        switch scheme {
        case .crypt, .apr1:
            let digest = credentialDigest(hash: entry.hash, password: password)
            if verified.contains(digest) { return true }
            slowChecks += 1
            let matched: Bool
            if scheme == .crypt {
                matched = cryptVerify(password, hash: entry.hash)
            } else if let computed = APR1.hash(password: Array(password), setting: entry.hash) {
                matched = Htpasswd.constantTimeEqual(computed, entry.hash)
            } else {
                matched = false
            }
            if matched { remember(digest) }
            return matched
        default:
            return Htpasswd.verifyBuiltIn(password, hash: entry.hash, scheme: scheme)
        }
    }

    /// SHA-256 of the process's key, the entry's hash and the password: the same password for
    /// another hash (another user, or the line rewritten) is another digest.
    private func credentialDigest(hash: [UInt8], password: ArraySlice<UInt8>) -> [UInt8] {
        let input = digestKey + hash + [0] + password
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        _ = input.withUnsafeBytes { i in
            digest.withUnsafeMutableBufferPointer {
                EVP_Digest(i.baseAddress, i.count, $0.baseAddress, &length, EVP_sha256(), nil)
            }
        }
        return digest
    }

    private func remember(_ digest: [UInt8]) {
        if verifiedOrder.count == Self.verifiedLimit {
            // Drop the older half at once: one shift per 512 new pairs, not per pair.
            for old in verifiedOrder.prefix(Self.verifiedLimit / 2) { verified.remove(old) }
            verifiedOrder.removeFirst(Self.verifiedLimit / 2)
        }
        verified.insert(digest)
        verifiedOrder.append(digest)
    }

    private func cryptVerify(_ password: ArraySlice<UInt8>, hash: [UInt8]) -> Bool {
        guard !password.contains(0), !hash.contains(0) else { return false }
        let data: UnsafeMutablePointer<crypt_data>
        if let existing = cryptData {
            data = existing
        } else {
            data = .allocate(capacity: 1)
            UnsafeMutableRawPointer(data).initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<crypt_data>.size)
            cryptData = data
        }
        let phrase = FileResolver.cString(Array(password))
        let setting = FileResolver.cString(hash)
        guard let result = crypt_r(phrase, setting, data) else { return false }
        let computed = UnsafeRawBufferPointer(start: result, count: strlen(result))
        return Htpasswd.constantTimeEqual(computed, hash)
    }
}

public enum UserFileError: Error, Equatable, Sendable {
    case unreadable(Int32)
    case unsupported(user: String)
    case notAFile

    var errno: Int32 {
        if case .unreadable(let e) = self { return e }
        return EINVAL
    }

    public func message(path: String) -> String {
        switch self {
        case .unreadable(let e):
            return "open() \"\(path)\" failed (\(e): \(String(cString: strerror(e))))"
        case .notAFile:
            return "\"\(path)\" is not a regular file of at most 16 MiB"
        case .unsupported(let user):
            return "unsupported password scheme for user \"\(user)\" in \"\(path)\""
        }
    }
}

/// Apache's `$apr1$` MD5 hash (the algorithm of `htpasswd -m` and `openssl passwd -apr1`),
/// with OpenSSL's MD5; libcrypt does not have it.
enum APR1 {
    static let magic = Array("$apr1$".utf8)
    static let alphabet = Array("./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// The full `$apr1$salt$digest` for `password` with the salt of `setting`.
    static func hash(password: [UInt8], setting: [UInt8]) -> [UInt8]? {
        guard setting.starts(with: magic) else { return nil }
        let salt = Array(setting.dropFirst(magic.count).prefix { $0 != UInt8(ascii: "$") }.prefix(8))
        var alternate = md5(password + salt + password)
        var context = password + magic + salt
        var length = password.count
        while length > 0 {
            context += alternate.prefix(min(16, length))
            length -= 16
        }
        var i = password.count
        while i > 0 {
            context.append((i & 1) != 0 ? 0 : (password.first ?? 0))
            i >>= 1
        }
        alternate = md5(context)
        for round in 0..<1000 {
            var next: [UInt8] = (round & 1) != 0 ? password : alternate
            if round % 3 != 0 { next += salt }
            if round % 7 != 0 { next += password }
            next += (round & 1) != 0 ? alternate : password
            alternate = md5(next)
        }
        var out = magic + salt + [UInt8(ascii: "$")]
        let groups: [(Int, Int, Int)] = [(0, 6, 12), (1, 7, 13), (2, 8, 14), (3, 9, 15), (4, 10, 5)]
        for (a, b, c) in groups {
            append(Int(alternate[a]) << 16 | Int(alternate[b]) << 8 | Int(alternate[c]), count: 4, to: &out)
        }
        append(Int(alternate[11]), count: 2, to: &out)
        return out
    }

    private static func append(_ value: Int, count: Int, to out: inout [UInt8]) {
        var v = value
        for _ in 0..<count {
            out.append(alphabet[v & 0x3F])
            v >>= 6
        }
    }

    static func md5(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 16)
        var length: UInt32 = 0
        _ = bytes.withUnsafeBytes { input in
            digest.withUnsafeMutableBufferPointer { out in
                EVP_Digest(input.baseAddress, input.count, out.baseAddress, &length, EVP_md5(), nil)
            }
        }
        return digest
    }
}
