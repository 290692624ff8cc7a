// swift-tools-version: 6.1
import PackageDescription

// libFuzzer targets for the pure readers of client bytes. Built apart from the main package
// (scripts/fuzz.sh), with `-sanitize=fuzzer,address`; each target links only the pure modules.
let package = Package(
    name: "triton-gateway-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "triton-gateway", path: "..")
    ],
    targets: [
        .target(name: "CFuzzerDriver"),
        .target(
            name: "FuzzSupport",
            dependencies: ["CFuzzerDriver", .product(name: "InferenceProtocol", package: "triton-gateway")]
        ),
        .executableTarget(
            name: "FuzzInferJSON",
            dependencies: ["FuzzSupport", .product(name: "InferenceProtocol", package: "triton-gateway")]
        ),
        .executableTarget(
            name: "FuzzInferBinary",
            dependencies: ["FuzzSupport", .product(name: "InferenceProtocol", package: "triton-gateway")]
        ),
        .executableTarget(
            name: "FuzzMultipartImage",
            dependencies: [
                "FuzzSupport",
                .product(name: "InferenceProtocol", package: "triton-gateway"),
                .product(name: "UploadFormats", package: "triton-gateway"),
            ]
        ),
        .executableTarget(
            name: "FuzzJSONLines",
            dependencies: ["FuzzSupport", .product(name: "UploadFormats", package: "triton-gateway")]
        ),
    ]
)
