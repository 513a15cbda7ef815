#if canImport(Glibc)
@_exported import Glibc
#endif

/// Entry point of the `webserv` executable (placeholder until the command line lands).
public enum Command {
    public static func run(_ arguments: [String]) -> Int32 { 0 }
}
