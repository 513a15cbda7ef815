/// The last suffix given to each recently stored name (`a.txt` → 3 after `a-3.txt`), so the
/// next copy of that name is found in two probes, however many copies exist (issue 12). A
/// forgotten name costs a few more probes (`UploadFileName.unique` gallops), never a wrong one:
/// the hint is only where the search starts.
public final class UploadNameHints {
    /// Bounded: when full the table starts again empty.
    static let capacity = 4096
    private var last: [[UInt8]: Int] = [:]

    public init() {}

    /// The suffix last given for `path` (directory and wanted name), 0 when none is known.
    func suffix(for path: [UInt8]) -> Int { last[path] ?? 0 }

    func remember(_ suffix: Int, for path: [UInt8]) {
        guard suffix > 0 else { return }
        if last.count >= Self.capacity && last[path] == nil { last.removeAll() }
        last[path] = suffix
    }
}
