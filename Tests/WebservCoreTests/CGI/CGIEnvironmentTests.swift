import XCTest

@testable import WebservCore

final class CGIEnvironmentTests: XCTestCase {
    private func info(
        pathInfo: String = "", pathTranslated: String? = nil,
        contentLength: Int? = nil, contentType: String? = nil,
        headers: [(name: String, value: String)] = []
    ) -> CGIRequestInfo {
        CGIRequestInfo(
            method: "POST", requestURI: "/cgi-bin/form.py/extra?a=1&b=2", scriptName: "/cgi-bin/form.py",
            scriptFilename: "/srv/www/cgi-bin/form.py", pathInfo: pathInfo, pathTranslated: pathTranslated,
            queryString: "a=1&b=2", contentLength: contentLength, contentType: contentType,
            serverName: "example.test", serverPort: 8080, serverProtocol: "HTTP/1.1",
            remoteAddr: "127.0.0.1", remotePort: 54321, headers: headers, documentRoot: "/srv/www")
    }

    private func env(_ i: CGIRequestInfo) -> [String: String] {
        var out: [String: String] = [:]
        for entry in CGIEnvironment.build(i) {
            let eq = entry.firstIndex(of: "=")!
            let name = String(entry[..<eq])
            XCTAssertNil(out[name], "\(name) set twice")
            out[name] = String(entry[entry.index(after: eq)...])
        }
        return out
    }

    func testSetsEveryRFC3875Variable() {
        let e = env(
            info(
                pathInfo: "/extra", pathTranslated: "/srv/www/extra", contentLength: 11,
                contentType: "application/x-www-form-urlencoded"))
        XCTAssertEqual(
            e,
            [
                "GATEWAY_INTERFACE": "CGI/1.1", "SERVER_PROTOCOL": "HTTP/1.1", "SERVER_SOFTWARE": "webserv",
                "SERVER_NAME": "example.test", "SERVER_PORT": "8080", "REQUEST_METHOD": "POST",
                "QUERY_STRING": "a=1&b=2", "SCRIPT_NAME": "/cgi-bin/form.py",
                "SCRIPT_FILENAME": "/srv/www/cgi-bin/form.py", "PATH_INFO": "/extra",
                "PATH_TRANSLATED": "/srv/www/extra", "CONTENT_LENGTH": "11",
                "CONTENT_TYPE": "application/x-www-form-urlencoded", "REMOTE_ADDR": "127.0.0.1",
                "REMOTE_PORT": "54321", "REQUEST_URI": "/cgi-bin/form.py/extra?a=1&b=2",
                "DOCUMENT_ROOT": "/srv/www", "REDIRECT_STATUS": "200", "PATH": "/usr/local/bin:/usr/bin:/bin",
                "REQUEST_SCHEME": "http",
            ])
    }

    func testTLSRequestsSayHTTPSOn() {
        var i = info()
        i.https = true
        let e = env(i)
        XCTAssertEqual(e["HTTPS"], "on")
        XCTAssertEqual(e["REQUEST_SCHEME"], "https")
        XCTAssertNil(env(info())["HTTPS"], "plain HTTP sets no HTTPS")
    }

    func testOmitsAbsentOptionalVariablesButAlwaysSetsQueryString() {
        var i = info(pathTranslated: "/srv/www")
        i.queryString = ""
        let e = env(i)
        XCTAssertEqual(e["QUERY_STRING"], "")
        XCTAssertEqual(e["PATH_INFO"], "")
        XCTAssertNil(e["PATH_TRANSLATED"], "no path info, no PATH_TRANSLATED")
        XCTAssertNil(e["CONTENT_LENGTH"])
        XCTAssertNil(e["CONTENT_TYPE"])
    }

    func testMapsRequestHeadersToHTTPVariables() {
        let e = env(
            info(headers: [
                ("Host", "example.test"), ("User-Agent", "curl/8"), ("x-custom-thing", "v"),
                ("Accept", "text/html"), ("accept", "*/*"), ("DNT", "1"),
            ]))
        XCTAssertEqual(e["HTTP_HOST"], "example.test")
        XCTAssertEqual(e["HTTP_USER_AGENT"], "curl/8")
        XCTAssertEqual(e["HTTP_X_CUSTOM_THING"], "v")
        XCTAssertEqual(e["HTTP_ACCEPT"], "text/html, */*")
        XCTAssertEqual(e["HTTP_DNT"], "1")
    }

    func testRepeatedCookiesJoinWithSemicolonOthersWithComma() {
        let e = env(
            info(headers: [
                (name: "Cookie", value: "a=1"), (name: "Accept", value: "text/plain"), (name: "cookie", value: "b=2; c=3"),
                (name: "Accept", value: "*/*"),
            ]))
        XCTAssertEqual(e["HTTP_COOKIE"], "a=1; b=2; c=3")
        XCTAssertEqual(e["HTTP_ACCEPT"], "text/plain, */*")
    }

    func testNeverSetsHTTPProxyOrDuplicatesBodyHeaders() {
        let e = env(
            info(
                contentLength: 3, contentType: "text/plain",
                headers: [
                    ("Proxy", "http://evil:8080"), ("Content-Length", "3"), ("Content-Type", "text/plain"),
                ]))
        XCTAssertNil(e["HTTP_PROXY"])
        XCTAssertNil(e["HTTP_CONTENT_LENGTH"])
        XCTAssertNil(e["HTTP_CONTENT_TYPE"])
        XCTAssertEqual(e["CONTENT_LENGTH"], "3")
    }

    func testSkipsHeadersThatCouldForgeOrBreakTheEnvironment() {
        let e = env(
            info(headers: [
                ("X_Forwarded", "underscore"), ("X Space", "s"), ("X=Eq", "e"), ("", "empty"),
                ("X-Nul", "a\u{0}b"), ("X-Newline", "a\nb"), ("X-CR", "a\rb"), ("X-Ok", "fine"),
            ]))
        XCTAssertEqual(e.keys.filter { $0.hasPrefix("HTTP_") }, ["HTTP_X_OK"])
    }
}
