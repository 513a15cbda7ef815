// swift-tools-version:6.0
import PackageDescription

// webserv depends on nothing but the toolchain: the server is written against Glibc.
let package = Package(
    name: "webserv",
    products: [
        .executable(name: "webserv", targets: ["webserv"]),
    ],
    targets: [
        .target(name: "WebservCore"),
        .executableTarget(name: "webserv", dependencies: ["WebservCore"]),
        .testTarget(name: "WebservCoreTests", dependencies: ["WebservCore"]),
        .testTarget(name: "WebservIntegrationTests", dependencies: []),
    ]
)
