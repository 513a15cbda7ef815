import XCTest

@testable import WebservCore

final class MIMETableTests: XCTestCase {
    private let table = MIMETypes.builtIn

    func testBuiltInTypes() {
        XCTAssertEqual(table.type(forFileName: bytes("index.html")), "text/html; charset=utf-8")
        XCTAssertEqual(table.type(forFileName: bytes("a.htm")), "text/html; charset=utf-8")
        XCTAssertEqual(table.type(forFileName: bytes("s.css")), "text/css; charset=utf-8")
        XCTAssertEqual(table.type(forFileName: bytes("app.js")), "text/javascript; charset=utf-8")
        XCTAssertEqual(table.type(forFileName: bytes("m.mjs")), "text/javascript; charset=utf-8")
        XCTAssertEqual(table.type(forFileName: bytes("d.json")), "application/json; charset=utf-8")
        XCTAssertEqual(table.type(forFileName: bytes("r.txt")), "text/plain; charset=utf-8")
        XCTAssertEqual(table.type(forFileName: bytes("README.md")), "text/markdown; charset=utf-8")
        for (ext, type) in [
            ("xml", "application/xml"), ("svg", "image/svg+xml"), ("png", "image/png"), ("jpg", "image/jpeg"),
            ("jpeg", "image/jpeg"), ("gif", "image/gif"), ("webp", "image/webp"), ("ico", "image/x-icon"),
            ("avif", "image/avif"), ("bmp", "image/bmp"), ("pdf", "application/pdf"), ("zip", "application/zip"),
            ("gz", "application/gzip"), ("tar", "application/x-tar"), ("wasm", "application/wasm"),
            ("mp3", "audio/mpeg"), ("mp4", "video/mp4"), ("webm", "video/webm"), ("ogg", "audio/ogg"),
            ("wav", "audio/wav"), ("woff", "font/woff"), ("woff2", "font/woff2"), ("ttf", "font/ttf"),
            ("otf", "font/otf"), ("csv", "text/csv; charset=utf-8"), ("map", "application/json; charset=utf-8"),
        ] {
            XCTAssertEqual(table.type(forFileName: bytes("file." + ext)), type, ext)
        }
    }

    func testLastExtensionCaseInsensitive() {
        XCTAssertEqual(table.type(forFileName: bytes("archive.tar.gz")), "application/gzip")
        XCTAssertEqual(table.type(forFileName: bytes("PHOTO.JPG")), "image/jpeg")
        XCTAssertEqual(table.type(forFileName: bytes("/dir.d/Page.Html")), "text/html; charset=utf-8")
    }

    func testNoOrUnknownExtension() {
        XCTAssertNil(table.type(forFileName: bytes("Makefile")))
        XCTAssertNil(table.type(forFileName: bytes("dir.d/file")))
        XCTAssertNil(table.type(forFileName: bytes("file.")))
        XCTAssertNil(table.type(forFileName: bytes("file.unknownextension")))
        XCTAssertNil(table.type(forFileName: bytes("")))
        XCTAssertNil(table.type(forFileName: bytes("x.averyveryverylongextensionname")))
    }

    func testConfiguredTable() {
        let custom = MIMETypes(byExtension: ["foo": "text/x-foo"])
        XCTAssertEqual(custom.type(forFileName: bytes("a.FOO")), "text/x-foo")
        XCTAssertNil(custom.type(forFileName: bytes("a.html")))
    }
}
