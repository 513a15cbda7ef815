/// An open descriptor shared by its owner (a file cache entry) and the responses that send
/// from it: closed when the last of them lets go, so an entry dropped mid-send cannot close it
/// under one.
public final class SharedDescriptor {
    public let fd: Int32
    init(_ fd: Int32) { self.fd = fd }
    deinit { Sys.close(fd) }
}
