// swift-tools-version:6.0
import PackageDescription

// webserv depends on nothing but the toolchain: the server is written against Glibc.
let package = Package(
    name: "webserv",
    products: [
        .executable(name: "webserv", targets: ["webserv"])
    ],
    targets: [
        .target(
            name: "WebservCore",
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
