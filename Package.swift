// swift-tools-version:6.0
import PackageDescription

// webserv depends on no Swift package: the server is written against Glibc and, as nginx links
// them, the system's C libraries (Debian libssl-dev, zlib1g-dev, libbrotli-dev, libcrypt-dev)
// through system-library targets.
let package = Package(
    name: "webserv",
    products: [
        .executable(name: "webserv", targets: ["webserv"])
    ],
    targets: [
        .systemLibrary(name: "COpenSSL", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CBrotli", providers: [.apt(["libbrotli-dev"])]),
        .systemLibrary(name: "CCrypt", providers: [.apt(["libcrypt-dev"])]),
        // glibc calls the Glibc module leaves out (accept4).
        .systemLibrary(name: "CSystem"),
        .target(
            name: "WebservCore",
            dependencies: ["COpenSSL", "CZlib", "CBrotli", "CCrypt", "CSystem"],
            // Release builds skip the run-time exclusivity checks (swift_beginAccess on every
            // class property access: about a fifth of the instructions per request). Debug
            // builds, which the tests use, keep them.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        .executableTarget(name: "webserv", dependencies: ["WebservCore"]),
        .testTarget(name: "WebservCoreTests", dependencies: ["WebservCore"]),
        .testTarget(name: "WebservIntegrationTests", dependencies: []),
    ]
)
