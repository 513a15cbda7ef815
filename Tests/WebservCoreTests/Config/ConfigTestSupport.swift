import XCTest

@testable import WebservCore

/// Loads configuration text as `test.conf` under the prefix `/srv`.
func loadConfig(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> Configuration? {
    do {
        return try ConfigLoader.load(text: text, fileName: "test.conf", prefix: "/srv")
    } catch {
        XCTFail("unexpected error: \(error)", file: file, line: line)
        return nil
    }
}

/// The `FILE:LINE: error: MESSAGE` text the loader reports for `text`, or nil if it loads.
func configError(_ text: String) -> String? {
    do {
        _ = try ConfigLoader.load(text: text, fileName: "test.conf", prefix: "/srv")
        return nil
    } catch {
        return error.description
    }
}

func bytes(_ text: String) -> ArraySlice<UInt8> { Array(text.utf8)[...] }
