import Foundation
import XCTest

/// The demo site in www/ as a browser first meets it (issue 12).
final class DemoSiteTests: XCTestCase {
    /// Browsers ask every site for /favicon.ico: a missing one logged a console error and cost
    /// a full 404 page on every page view, on the main site and on vhost2.
    func testBothDemoSitesHaveAFavicon() throws {
        let s = try TestServer(
            config: """
                server {
                    listen 127.0.0.1:0;
                    root {{REPO}}/www;
                    access_log off;
                    location /vhost2/ { alias {{REPO}}/www/vhost2/; }
                }
                """)
        for path in ["/favicon.ico", "/vhost2/favicon.ico"] {
            let r = try XCTUnwrap(
                httpRequest(port: s.port, "GET \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"))
            XCTAssertEqual(r.status, 200, path)
            XCTAssertEqual(r.header("Content-Type"), "image/x-icon")
            XCTAssertEqual(Array(r.body.prefix(4)), [0, 0, 1, 0], "an ICO header")
        }
    }
}
