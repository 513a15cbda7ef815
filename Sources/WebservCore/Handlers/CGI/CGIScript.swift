/// Which script a request names, and the PATH_INFO after it (RFC 3875 §4.1.5, §4.1.13).
public struct CGIScript: Equatable, Sendable {
    /// The URI path up to and including the script's name (SCRIPT_NAME).
    public var scriptName: [UInt8]
    /// The file to run.
    public var file: [UInt8]
    /// What follows the script's name, "" or starting with "/".
    public var pathInfo: [UInt8]
    /// The configured extension that matched (".py").
    public var ext: String

    /// Finds the first path prefix that ends in a configured extension at a segment boundary
    /// and maps to a regular file: `/cgi-bin/x.py/extra/path` runs `x.py` with PATH_INFO
    /// `/extra/path`. `isRegularFile` is the file-system check (a parameter, so tests run
    /// without a disk). nil: not a CGI request, the static handler takes it.
    public static func find(
        path: [UInt8], extensions: [String], map: ([UInt8]) -> [UInt8]?, isRegularFile: ([UInt8]) -> Bool
    ) -> CGIScript? {
        let exts = extensions.map { Array($0.utf8) }
        var end = 1
        while end <= path.count {
            let atBoundary = end == path.count || path[end] == UInt8(ascii: "/")
            if atBoundary, path[end - 1] != UInt8(ascii: "/") {
                let candidate = Array(path[..<end])
                for (i, ext) in exts.enumerated()
                where candidate.count > ext.count + 1 && candidate.suffix(ext.count).elementsEqual(ext) {
                    guard let file = map(candidate) else { return nil }
                    if isRegularFile(file) {
                        return CGIScript(scriptName: candidate, file: file, pathInfo: Array(path[end...]), ext: extensions[i])
                    }
                }
            }
            end += 1
        }
        return nil
    }
}
