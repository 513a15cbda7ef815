import Foundation
import XCTest

@testable import WebservCore

final class FileCacheForgetTests: XCTestCase {
    /// DELETE of a precompressed form (`page.html.gz`, kept under its coding) drops it at once,
    /// before inotify's event for the unlink is read: the next lookup does not find it.
    func testForgettingAPrecompressedFormDropsItsCodedEntry() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("webserv-forget-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("page.html.gz")
        try Data(repeating: 0x1F, count: 100).write(to: file)
        let path = Array(file.path.utf8)
        let cache = FileCache()
        let watch = try XCTUnwrap(cache.startWatching(), "inotify")
        defer { _ = watch }
        let fd = open(file.path, O_RDONLY)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { close(fd) }
        let info = try XCTUnwrap(FileResolver.fileInfo(fd: fd))
        // A file changed within the last second is not kept: wait until it may be.
        let deadline = Date().addingTimeInterval(5)
        var entry: FileCache.Entry?
        while entry == nil && Date() < deadline {
            entry = cache.insert(path, coding: .gzip, fd: fd, info: info, contentType: "text/html", now: 0)
            if entry == nil { usleep(50_000) }
        }
        XCTAssertNotNil(entry, "kept once older than a second")
        XCTAssertNotNil(cache.lookup(path, coding: .gzip, now: 0), "watched: found without a stat")
        try FileManager.default.removeItem(at: file)
        cache.forget(path)
        XCTAssertNil(cache.lookup(path, coding: .gzip, now: 0))
        XCTAssertTrue(entry?.removed ?? false, "the file's own entry sees its form removed")
    }
}
