/// The headers step of the response filter stage, first of the three (headers → compression
/// → framing): every response passes here, error pages and cached files included, with the
/// location that answered it. `add_header` and `expires` add their headers here. A cached
/// file's head is prebuilt (`Response.rawHeaders`): what is added goes to `headers`, which
/// the serializer writes before it.
enum ResponseHeaderFilter {
    static func apply(_ response: inout Response, location: LocationConfig, request: RequestHead?) {
        // add_header / expires: the headers feature fills this in.
    }
}
