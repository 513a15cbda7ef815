/// The 201 answer to an upload: `Location` of the first stored file and a list of them all,
/// as HTML for browsers or JSON for clients whose `Accept` asks for it.
enum UploadReport {
    /// `prefix` is the location's URI prefix; stored names are appended percent-encoded.
    static func response(_ files: [StoredUpload], prefix: String, json: Bool) -> Response {
        let base = prefix.hasSuffix("/") ? prefix : prefix + "/"
        let uris = files.map { base + HTML.percentEncodePathSegment($0.name.utf8) }
        var headers: [(name: String, value: String)] = []
        if let first = uris.first { headers.append(("Location", first)) }
        guard json else { return .html(201, html(files, uris: uris), headers: headers) }
        headers.append(("Content-Type", "application/json"))
        return Response(status: 201, headers: headers, body: .bytes(Array(self.json(files, uris: uris).utf8)))
    }

    /// True when the `Accept` header names application/json (any case, any parameters) with a
    /// quality above 0: `application/json;q=0` refuses JSON (RFC 9110 §12.4.2).
    static func wantsJSON(_ accept: ArraySlice<UInt8>?) -> Bool {
        AcceptHeader.accepts("application/json", in: accept)
    }

    static func html(_ files: [StoredUpload], uris: [String]) -> String {
        var s = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>201 Created</title></head>\n"
        s += "<body><h1>Stored \(files.count) file\(files.count == 1 ? "" : "s")</h1>\n<ul>\n"
        for (file, uri) in zip(files, uris) {
            s += "<li><a href=\"\(HTML.escape(uri))\">\(HTML.escape(file.name))</a> (\(file.size) bytes)</li>\n"
        }
        s += "</ul></body></html>\n"
        return s
    }

    static func json(_ files: [StoredUpload], uris: [String]) -> String {
        let items = zip(files, uris).map { file, uri in
            "{\"name\":\(JSON.string(file.name)),\"size\":\(file.size),\"uri\":\(JSON.string(uri))}"
        }
        return "{\"files\":[" + items.joined(separator: ",") + "]}\n"
    }
}
