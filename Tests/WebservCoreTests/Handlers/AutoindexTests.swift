import Foundation
import XCTest

@testable import WebservCore

/// The listing's formats: nginx's JSON layout, rounded sizes, sorting, escaping.
final class AutoindexTests: XCTestCase {
    let items = [
        Autoindex.Item(name: "b.txt", isDirectory: false, size: 20_000, mtime: 1_735_689_600),
        Autoindex.Item(name: "a \"q\".txt", isDirectory: false, size: 5, mtime: 1_735_689_700),
        Autoindex.Item(name: "dir", isDirectory: true, size: 4096, mtime: 0),
    ]

    func testJSONIsNginxsLayout() {
        var sorted = items
        Autoindex.sort(&sorted, Autoindex.Options())
        XCTAssertEqual(
            Autoindex.json(sorted),
            """
            [
            { "name":"dir", "type":"directory", "mtime":"Thu, 01 Jan 1970 00:00:00 GMT" },
            { "name":"a \\"q\\".txt", "type":"file", "mtime":"Wed, 01 Jan 2025 00:01:40 GMT", "size":5 },
            { "name":"b.txt", "type":"file", "mtime":"Wed, 01 Jan 2025 00:00:00 GMT", "size":20000 }
            ]

            """)
        XCTAssertEqual(Autoindex.json([]), "[\n]\n")
    }

    func testSizesRoundAsNginx() {
        XCTAssertEqual(Autoindex.humanSize(0), "0")
        XCTAssertEqual(Autoindex.humanSize(9999), "9999")
        XCTAssertEqual(Autoindex.humanSize(10_000), "10K")
        XCTAssertEqual(Autoindex.humanSize(10_752), "11K")
        XCTAssertEqual(Autoindex.humanSize(1_048_575), "1024K")
        XCTAssertEqual(Autoindex.humanSize(1_048_576), "1M")
        XCTAssertEqual(Autoindex.humanSize(1_572_864), "2M")
        XCTAssertEqual(Autoindex.humanSize(5 << 30), "5G")
    }

    func testSortsDirectoriesFirstByTheAskedKeyAndOrder() {
        func order(_ key: Autoindex.SortKey, descending: Bool) -> [String] {
            var sorted = items
            Autoindex.sort(&sorted, Autoindex.Options(sort: key, descending: descending))
            return sorted.map(\.name)
        }
        XCTAssertEqual(order(.name, descending: false), ["dir", "a \"q\".txt", "b.txt"])
        XCTAssertEqual(order(.name, descending: true), ["dir", "b.txt", "a \"q\".txt"])
        XCTAssertEqual(order(.size, descending: true), ["dir", "b.txt", "a \"q\".txt"])
        XCTAssertEqual(order(.mtime, descending: false), ["dir", "b.txt", "a \"q\".txt"])
    }

    func testHTMLEscapesNamesAndLinksSortableColumns() {
        let html = Autoindex.page(title: "/<t>/", items: items, options: Autoindex.Options(exactSize: false, sort: .size))
        XCTAssertTrue(html.contains("Index of /&lt;t&gt;/"), html)
        XCTAssertTrue(html.contains("<a href=\"a%20%22q%22.txt\">a &quot;q&quot;.txt</a>"), html)
        XCTAssertTrue(html.contains("?sort=size&amp;order=desc"), html)
        XCTAssertTrue(html.contains("?sort=name&amp;order=asc"), html)
        XCTAssertTrue(html.contains(">20K<"), html)
        XCTAssertFalse(html.contains("<script"), html)
    }

    /// Before: names were copied out of `d_name` whole (256 bytes), past the end of an entry
    /// glibc sized to its name: a heap-buffer-overflow (AddressSanitizer) listing a directory
    /// of many files, which one client could fill through an upload location with autoindex.
    func testEntryNamesAreReadWithinTheEntry() throws {
        let offset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
        let entry = UnsafeMutableRawPointer.allocate(byteCount: offset + 3, alignment: MemoryLayout<dirent>.alignment)
        defer { entry.deallocate() }
        entry.initializeMemory(as: UInt8.self, repeating: 0, count: offset + 3)
        entry.storeBytes(of: UInt8(ascii: "a"), toByteOffset: offset, as: UInt8.self)
        entry.storeBytes(of: UInt8(ascii: "b"), toByteOffset: offset + 1, as: UInt8.self)
        XCTAssertEqual(Autoindex.name(of: entry.assumingMemoryBound(to: dirent.self)), Array("ab".utf8))

        let directory = NSTemporaryDirectory() + "webserv-autoindex-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let names = Set((0..<3000).map { "f\($0)" })
        for name in names { FileManager.default.createFile(atPath: directory + "/" + name, contents: nil) }
        let dir = try XCTUnwrap(opendir(directory))
        var seen = Set<String>()
        while let e = readdir(dir) { seen.insert(String(decoding: Autoindex.name(of: e), as: UTF8.self)) }
        closedir(dir)
        XCTAssertEqual(seen, names.union([".", ".."]))
    }
}
