import Foundation
import XCTest

@testable import WebservCore

final class MIMETableTests: XCTestCase {
    private let table = MIMETypes.builtIn

    func testBuiltInTypes() {
        // nginx's values, with no charset parameter (nginx adds none by default).
        for (ext, type) in [
            ("html", "text/html"), ("htm", "text/html"), ("shtml", "text/html"), ("css", "text/css"),
            ("js", "application/javascript"), ("json", "application/json"), ("txt", "text/plain"), ("xml", "text/xml"),
            ("svg", "image/svg+xml"), ("png", "image/png"), ("jpg", "image/jpeg"), ("jpeg", "image/jpeg"),
            ("gif", "image/gif"), ("webp", "image/webp"), ("ico", "image/x-icon"), ("avif", "image/avif"),
            ("bmp", "image/x-ms-bmp"), ("pdf", "application/pdf"), ("zip", "application/zip"), ("wasm", "application/wasm"),
            ("mp3", "audio/mpeg"), ("mp4", "video/mp4"), ("webm", "video/webm"), ("ogg", "audio/ogg"),
            ("m4a", "audio/x-m4a"), ("woff", "font/woff"), ("woff2", "font/woff2"), ("bin", "application/octet-stream"),
            ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ] {
            XCTAssertEqual(table.type(forFileName: bytes("file." + ext)), type, ext)
        }
    }

    func testExtensionsNginxDoesNotKnowAreNotTyped() {
        // Served with default_type, as nginx serves them.
        for ext in ["md", "mjs", "csv", "map", "gz", "tar", "ttf", "otf", "wav", "log", "webmanifest"] {
            XCTAssertNil(table.type(forFileName: bytes("file." + ext)), ext)
        }
    }

    func testBuiltInTableIsNginxMimeTypes() throws {
        let path = "/etc/nginx/mime.types"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw XCTSkip("\(path) is not installed")
        }
        let open = try XCTUnwrap(text.firstIndex(of: "{"))
        let close = try XCTUnwrap(text.lastIndex(of: "}"))
        var expected: [String: String] = [:]
        for entry in text[text.index(after: open)..<close].split(separator: ";") {
            let words = entry.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" })
            guard let type = words.first else { continue }
            for ext in words.dropFirst() where expected[String(ext)] == nil { expected[String(ext)] = String(type) }
        }
        XCTAssertEqual(expected.count, 110, "nginx 1.22's table has 110 extensions")
        XCTAssertEqual(table.byExtension, expected)
    }

    func testLastExtensionCaseInsensitive() {
        XCTAssertEqual(table.type(forFileName: bytes("archive.tar.zip")), "application/zip")
        XCTAssertEqual(table.type(forFileName: bytes("PHOTO.JPG")), "image/jpeg")
        XCTAssertEqual(table.type(forFileName: bytes("/dir.d/Page.Html")), "text/html")
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
