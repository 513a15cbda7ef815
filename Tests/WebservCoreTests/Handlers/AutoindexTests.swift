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
}
