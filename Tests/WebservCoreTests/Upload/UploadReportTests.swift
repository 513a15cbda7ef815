import XCTest

@testable import WebservCore

final class UploadReportTests: XCTestCase {
    private func text(_ r: Response) -> String {
        guard case .bytes(let b) = r.body else { return "" }
        return String(decoding: b, as: UTF8.self)
    }

    private func header(_ r: Response, _ name: String) -> String? {
        r.headers.first { $0.name == name }?.value
    }

    func testLocationIsTheFirstFileUnderTheLocationPrefix() {
        let files = [StoredUpload(name: "a b.txt", size: 3), StoredUpload(name: "c.txt", size: 1)]
        let r = UploadReport.response(files, prefix: "/uploads/", json: false)
        XCTAssertEqual(r.status, 201)
        XCTAssertEqual(header(r, "Location"), "/uploads/a%20b.txt")
        XCTAssertEqual(UploadReport.response(files, prefix: "/up", json: false).headers.first?.value, "/up/a%20b.txt")
        XCTAssertTrue(text(r).contains("<a href=\"/uploads/c.txt\">c.txt</a> (1 bytes)"), text(r))
    }

    func testHTMLEscapesNames() {
        let r = UploadReport.response([StoredUpload(name: "<b>&.txt", size: 0)], prefix: "/u/", json: false)
        XCTAssertTrue(text(r).contains("&lt;b&gt;&amp;.txt"), text(r))
        XCTAssertFalse(text(r).contains("<b>"))
    }

    func testJSONListsEveryFileWithEscapedStrings() {
        let r = UploadReport.response([StoredUpload(name: "q\"\\\u{1}.txt", size: 7)], prefix: "/u/", json: true)
        XCTAssertEqual(header(r, "Content-Type"), "application/json")
        XCTAssertEqual(text(r), #"{"files":[{"name":"q\"\\\u0001.txt","size":7,"uri":"/u/q%22%5C%01.txt"}]}"# + "\n")
    }

    func testAcceptPicksJSONOnlyWhenNamed() {
        XCTAssertTrue(UploadReport.wantsJSON(Array("application/json"[...].utf8)[...]))
        XCTAssertTrue(UploadReport.wantsJSON(Array("text/html, Application/JSON;q=0.9"[...].utf8)[...]))
        XCTAssertFalse(UploadReport.wantsJSON(Array("text/html,*/*"[...].utf8)[...]))
        XCTAssertFalse(UploadReport.wantsJSON(Array("application/jsonp"[...].utf8)[...]))
        XCTAssertFalse(UploadReport.wantsJSON(nil))
        XCTAssertFalse(UploadReport.wantsJSON(Array("text/html, application/json;q=0"[...].utf8)[...]), "q=0: not acceptable")
        XCTAssertFalse(UploadReport.wantsJSON(Array("application/json ; Q=0.000, */*"[...].utf8)[...]))
        XCTAssertTrue(UploadReport.wantsJSON(Array("application/json;charset=utf-8;q=0.001"[...].utf8)[...]))
    }

    func testBodyKindFollowsMethodAndContentType() {
        func kind(_ m: HTTPMethod, _ ct: String?, _ path: String) -> String {
            switch UploadHandler.bodyKind(method: m, contentType: ct.map { Array($0.utf8)[...] }, path: Array(path.utf8)) {
            case .failure(let e): return "\(e.status)"
            case .success(.raw(let name)): return "raw:\(name ?? "-")"
            case .success(.multipart(let b)): return "multipart:\(String(decoding: b, as: UTF8.self))"
            }
        }
        XCTAssertEqual(kind(.post, "multipart/form-data; boundary=xyz", "/up/"), "multipart:xyz")
        XCTAssertEqual(kind(.post, "Multipart/Form-Data ; boundary=\"a b\"", "/up/"), "multipart:a b")
        XCTAssertEqual(kind(.post, "multipart/form-data", "/up/"), "400")
        XCTAssertEqual(kind(.post, "application/octet-stream", "/up/x.bin"), "raw:x.bin")
        XCTAssertEqual(kind(.post, nil, "/up/"), "raw:-")
        XCTAssertEqual(kind(.put, "multipart/form-data; boundary=xyz", "/up/doc.txt"), "raw:doc.txt")
    }
}

final class UploadGeneratedNameTests: XCTestCase {
    func testGeneratedNamesCarryTheUTCTimeAndAnExtension() {
        XCTAssertEqual(UploadFileName.generated(contentType: nil, now: 0), "upload-19700101-000000.bin")
        XCTAssertEqual(UploadFileName.generated(contentType: "image/PNG", now: 1_700_000_000), "upload-20231114-221320.png")
        XCTAssertEqual(
            UploadFileName.generated(contentType: "text/plain;charset=utf-8", now: 951_782_400), "upload-20000229-000000.txt")
    }
}
