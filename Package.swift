// swift-tools-version: 6.1
import PackageDescription

/// Compiler settings shared by every Swift target: Swift 6 language mode, warnings are errors.
let strictSettings: [SwiftSetting] = [
    .unsafeFlags(["-warnings-as-errors"])
]

let package = Package(
    name: "triton-gateway",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "InferenceProtocol", targets: ["InferenceProtocol"]),
        .library(name: "CurlHTTP", targets: ["CurlHTTP"]),
        .library(name: "TritonClient", targets: ["TritonClient"]),
        .library(name: "Routing", targets: ["Routing"]),
        .library(name: "ObjectStore", targets: ["ObjectStore"]),
        .library(name: "Platform", targets: ["Platform"]),
        .library(name: "UploadFormats", targets: ["UploadFormats"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(
            url: "https://github.com/apple/swift-configuration", from: "1.4.0",
            traits: [.defaults, "YAML", "Reloading"]),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.7.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.0"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.0"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.1.0"),
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        // C libraries from Debian, linked through pkg-config.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CHiredis", pkgConfig: "hiredis", providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(name: "CLibpq", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CRdkafka", pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),

        .target(
            name: "InferenceProtocol",
            dependencies: [.product(name: "Tracing", package: "swift-distributed-tracing")],
            swiftSettings: strictSettings),
        .target(name: "Resilience", swiftSettings: strictSettings),
        .target(name: "UploadFormats", dependencies: ["InferenceProtocol"], swiftSettings: strictSettings),
        .target(
            name: "CurlHTTP", dependencies: ["CCurl", "InferenceProtocol", "Resilience"], swiftSettings: strictSettings),
        .target(
            name: "TritonClient",
            dependencies: [
                "CurlHTTP",
                "InferenceProtocol",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Routing",
            dependencies: [
                "InferenceProtocol", "Resilience",
                "TritonClient",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .target(name: "CivilCalendar", swiftSettings: strictSettings),
        .target(
            name: "ObjectStore",
            dependencies: [
                "CivilCalendar", "COpenSSL", "CurlHTTP", "InferenceProtocol", "Resilience",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "RedisClient",
            dependencies: [
                "CHiredis",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "RateLimiting",
            dependencies: [
                "RedisClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "PostgresClient",
            dependencies: [
                "CivilCalendar",
                "CLibpq",
                "Resilience",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "PlatformStore",
            dependencies: ["PostgresClient", "Resilience", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Kafka",
            dependencies: [
                "CRdkafka",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "KServeHTTP",
            dependencies: [
                "InferenceProtocol",
                "TritonClient",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "KServeGRPC",
            dependencies: [
                "InferenceProtocol",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "RouterApp",
            dependencies: [
                "Platform", "InferenceProtocol", "KServeGRPC", "KServeHTTP", "PlatformStore", "PostgresClient",
                "Resilience", "Routing",
                "TritonClient",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "router",
            dependencies: [
                "RouterApp",
                "Routing",
                "Platform",
                "CurlHTTP",
                "TritonClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "BatchProtocol",
            dependencies: [
                "InferenceProtocol", "ObjectStore",
                .product(name: "Configuration", package: "swift-configuration"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "BatchAPI",
            dependencies: [
                "BatchProtocol", "InferenceProtocol", "KServeHTTP", "Kafka", "ObjectStore", "PlatformStore",
                "UploadFormats",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "BatchWorker",
            dependencies: [
                "BatchProtocol", "CurlHTTP", "InferenceProtocol", "TritonClient", "KServeHTTP", "Kafka", "ObjectStore",
                "PostgresClient", "PlatformStore", "Resilience",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "batch-worker",
            dependencies: [
                "BatchWorker", "BatchProtocol", "Platform", "CurlHTTP", "Kafka", "ObjectStore", "PlatformStore",
                "PostgresClient", "TritonClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Gateway",
            dependencies: [
                "Platform", "BatchAPI", "BatchProtocol", "Kafka", "ObjectStore", "Resilience",
                "InferenceProtocol", "TritonClient", "KServeGRPC", "KServeHTTP", "Routing", "RouterApp",
                "RedisClient", "RateLimiting", "PostgresClient", "PlatformStore", "UploadFormats",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "gateway",
            dependencies: [
                "Gateway", "Platform", "CurlHTTP", "ObjectStore", "Routing", "TritonClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "inferctl",
            dependencies: [
                "PlatformStore", "PostgresClient", "Platform", "CurlHTTP", "InferenceProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Platform",
            dependencies: [
                "CivilCalendar",
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: strictSettings
        ),

        .testTarget(
            name: "InferenceProtocolTests", dependencies: ["InferenceProtocol", "TestSupport"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "UploadFormatsTests", dependencies: ["UploadFormats", "InferenceProtocol"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "TritonClientTests",
            dependencies: ["TritonClient", "CurlHTTP", "InferenceProtocol", "TestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "RoutingTests",
            dependencies: ["Routing", "CurlHTTP", "InferenceProtocol", "Resilience", "TestSupport", "TritonClient"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "ObjectStoreTests", dependencies: ["ObjectStore", "CurlHTTP", "InferenceProtocol", "TestSupport"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "RedisClientTests", dependencies: ["RedisClient", "TestSupport"], swiftSettings: strictSettings),
        .testTarget(
            name: "RateLimitingTests", dependencies: ["RateLimiting", "RedisClient", "TestSupport"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "PostgresClientTests", dependencies: ["PostgresClient", "TestSupport"], swiftSettings: strictSettings),
        .testTarget(
            name: "PlatformStoreTests", dependencies: ["PlatformStore", "PostgresClient", "TestSupport"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "KafkaTests",
            dependencies: ["Kafka", "TestSupport", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings),
        .testTarget(
            name: "RouterAppTests",
            dependencies: [
                "RouterApp", "Routing", "CurlHTTP", "InferenceProtocol", "KServeHTTP", "PlatformStore",
                "PostgresClient", "TestSupport", "TritonClient",
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strictSettings),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "Platform", "Gateway", "TestSupport", "CurlHTTP", "InferenceProtocol", "TritonClient", "PlatformStore",
                "PostgresClient", "RedisClient", "RateLimiting", "Routing", "RouterApp", "ObjectStore",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strictSettings),
        .testTarget(
            name: "BatchWorkerTests",
            dependencies: [
                "BatchWorker", "BatchAPI", "BatchProtocol", "Kafka", "ObjectStore", "PlatformStore", "PostgresClient",
                "Resilience",
                "TritonClient", "CurlHTTP", "InferenceProtocol", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "KServeGRPCTests",
            dependencies: [
                "KServeGRPC", "InferenceProtocol", "TestSupport",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
            ],
            swiftSettings: strictSettings),
        .testTarget(name: "PlatformTests", dependencies: ["Platform", "TestSupport"], swiftSettings: strictSettings),
        .target(
            name: "TestSupport",
            dependencies: [
                "PlatformStore", "PostgresClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "Tests/TestSupport",
            swiftSettings: strictSettings
        ),
    ]
)
