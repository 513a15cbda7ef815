/// Location selection, as nginx's static locations: `=` exact match, else the longest prefix.
extension ServerConfig {
    /// Index into `locations` for a normalised, percent-decoded path; nil means use
    /// `fallbackLocation`. `location = /x` exact matches win over everything; otherwise the
    /// longest prefix (a plain byte prefix, like nginx) wins, the first in the file on a tie.
    public func locationIndex(for path: ArraySlice<UInt8>) -> Int? {
        var best: Int?
        var bestLength = -1
        for (index, location) in locations.enumerated() {
            let candidate = location.path.utf8
            if location.exact {
                if candidate.count == path.count && candidate.elementsEqual(path) { return index }
            } else if candidate.count > bestLength && candidate.count <= path.count
                && candidate.elementsEqual(path.prefix(candidate.count))
            {
                best = index
                bestLength = candidate.count
            }
        }
        return best
    }
}
