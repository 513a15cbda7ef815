import XCTest

@testable import WebservCore

final class FileWatchTests: XCTestCase {
    func key(_ path: String) -> FileCache.Key { FileCache.Key(Array(path.utf8)) }

    func testAnEventNamesTheFileOrOneOfItsPrecompressedForms() {
        let k = key("/www/app.js")
        for name in ["app.js", "app.js.gz", "app.js.br", "app.js.zst"] {
            XCTAssertTrue(FileWatch.names(k, Array(name.utf8)[...]), name)
        }
        for name in ["app.j", "app.jsx", "xapp.js", "app.js.gzip", "app.js.gz.gz", ".gz", "pp.js.gz", "app.css.gz", ""] {
            XCTAssertFalse(FileWatch.names(k, Array(name.utf8)[...]), name)
        }
        XCTAssertFalse(FileWatch.names(key("/app.js"), Array("/app.js".utf8)[...]), "a name has no slash")
        XCTAssertTrue(FileWatch.names(key("/app.js"), Array("app.js.gz".utf8)[...]), "a file at the root")
    }
}
