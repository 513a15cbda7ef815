/// Why a request head was refused; `status` is the one place these map to the wire.
public enum HTTPParseError: Error, Equatable, Sendable {
    case badRequest(String)
    case requestLineTooLong
    case headersTooLarge
    case unknownMethod
    case versionNotSupported
    case unsupportedTransferCoding
    /// A path that climbs above "/" (`/../`, `%2e%2e`): it would leave every root.
    case outsideRoot

    public var status: Int {
        switch self {
        case .badRequest: return 400
        case .requestLineTooLong: return 414
        case .headersTooLarge: return 431
        case .unknownMethod: return 501
        case .versionNotSupported: return 505
        case .unsupportedTransferCoding: return 501
        case .outsideRoot: return 403
        }
    }
}
