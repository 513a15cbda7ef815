import Foundation
import XCTest

@testable import WebservCore

/// The demo configuration a newcomer runs first (issue 12): it loads, and it listens on the
/// loopback address only, since it accepts uploads and DELETE and runs programs.
final class DemoConfigTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    func testDefaultConfigListensOnLoopbackOnly() throws {
        let config = try ConfigLoader.load(path: "conf/default.conf", prefix: Self.repository)
        let listens = config.servers.flatMap(\.listens)
        XCTAssertEqual(listens.count, 3)
        for listen in listens {
            XCTAssertEqual(listen.address.host, "127.0.0.1", "\(listen.address) is open beyond this machine")
        }
        XCTAssertEqual(Set(listens.map(\.address.port)), [8080, 8081])
        XCTAssertEqual(config.servers.map(\.serverNames)[1], ["vhost2.localhost", "*.vhost2.localhost"])
    }

    /// Issue 12: on port 8081 the chat, exec, upload and CGI pages could not work (no such
    /// locations there); they send the browser to the main server instead.
    func testPort8081SendsThePagesThatNeedTheMainServerThere() throws {
        let config = try ConfigLoader.load(path: "conf/default.conf", prefix: Self.repository)
        let readOnly = try XCTUnwrap(config.servers.first { $0.listens.contains { $0.address.port == 8081 } })
        for page in ["/chat.html", "/exec.html", "/upload.html", "/cgi.html"] {
            let location = try XCTUnwrap(readOnly.locations.first { $0.exact && $0.path == page }, page)
            XCTAssertEqual(location.returnDirective?.status, 302, page)
            XCTAssertEqual(location.returnDirective?.text, "http://127.0.0.1:8080" + page)
            XCTAssertTrue(FileManager.default.fileExists(atPath: Self.repository + "/www" + page), page)
        }
    }

    /// Issue 12: a newcomer finds in the README how to run the binary, what to install, and
    /// the demo's other sites; its first two commands stay as they are.
    func testReadmeSaysHowToRunTheDemoAndWhatItNeeds() throws {
        let readme = try String(contentsOfFile: Self.repository + "/README.md", encoding: .utf8)
        XCTAssertTrue(readme.hasPrefix("# webserv\n\n```sh\nswift run -c release webserv conf/default.conf "))
        XCTAssertTrue(readme.contains("\nbash .ci/run "))
        for needed in [
            ".build/release/webserv -t conf/default.conf", "swift run -c release webserv -t", "Swift 6", "Linux",
            "python3", "libssl-dev", "zlib1g-dev", "libbrotli-dev", "libcrypt-dev", "http://127.0.0.1:8081/",
            "vhost2.localhost",
        ] {
            XCTAssertTrue(readme.contains(needed), "README does not mention \(needed)")
        }
    }
}
