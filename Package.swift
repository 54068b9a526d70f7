// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Cashew",
    products: [
        .library(name: "Secp256k1", targets: ["Secp256k1"]),
        .library(name: "CashuCrypto", targets: ["CashuCrypto"]),
        .library(name: "CashuProtocol", targets: ["CashuProtocol"]),
        .library(name: "Bolt11", targets: ["Bolt11"]),
        .library(name: "CashewWallet", targets: ["CashewWallet"]),
        .executable(name: "cashew-bench", targets: ["CashewBench"]),
        .executable(name: "cashew-mint", targets: ["CashewMintCLI"]),
        .executable(name: "cashew", targets: ["CashewWalletCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", "4.0.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket.git", from: "1.6.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
    ],
    targets: [
        // Debian's libsecp256k1-dev 0.2.0 (ecdh, extrakeys, schnorrsig, recovery).
        .systemLibrary(
            name: "CSecp256k1",
            pkgConfig: "libsecp256k1",
            providers: [.apt(["libsecp256k1-dev"])]
        ),
        // Debian's libqrencode-dev: QR codes for the wallet's terminal (`--qr`).
        .systemLibrary(
            name: "CQRencode",
            pkgConfig: "libqrencode",
            providers: [.apt(["libqrencode-dev"])]
        ),
        // QR codes: a typed wrapper over libqrencode, terminal drawing, NUT-16 animated codes.
        .target(name: "CashewQR", dependencies: ["CQRencode", "CashewCBOR"]),
        // Hex, base64url, bech32: byte encodings with no dependencies.
        .target(name: "CashewEncoding"),
        // Secret files (seeds): created exclusively, mode 0600, synced; shared by the mint's and the wallet's CLIs.
        .target(name: "CashewFiles"),
        // Typed wrapper over libsecp256k1: Scalar, Point, Schnorr, recoverable ECDSA.
        .target(name: "Secp256k1", dependencies: ["CSecp256k1", "CashewEncoding"]),
        // A small strict CBOR encoder/decoder (RFC 8949 subset used by Cashu).
        .target(name: "CashewCBOR"),
        // Cashu cryptography: BDHKE, DLEQ, keyset IDs, fees, BIP-32/39, NUT-13, mint key derivation.
        .target(
            name: "CashuCrypto",
            dependencies: [
                "Secp256k1", "CashewEncoding",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // Cashu v1 protocol models, errors, tokens (V3/V4/raw), NUT-10 secrets, NUT-18 payment requests.
        .target(
            name: "CashuProtocol",
            dependencies: [
                "CashuCrypto", "Secp256k1", "CashewEncoding", "CashewCBOR",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Nostr for the wallet's peer-to-peer payments: NIP-44 v2 encryption (later NIP-59 gift wraps, NIP-17 messages).
        .target(
            name: "CashewNostr",
            dependencies: [
                "Secp256k1", "CashewEncoding",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                // NIP-01 relays: a websocket client only.
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // BOLT11 invoices: decode, encode, sign.
        .target(
            name: "Bolt11",
            dependencies: ["Secp256k1", "CashewEncoding", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // The mint core: keysets, ledger operations, validation. Knows neither HTTP nor a database driver.
        .target(
            name: "CashuMint",
            dependencies: [
                "CashuProtocol", "CashuCrypto", "Secp256k1", "CashewEncoding", "Bolt11",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // The ledger's auditor: checks a read-only snapshot, with or without the seed (Specs/audit.md).
        .target(
            name: "CashewAudit",
            dependencies: ["CashuMint", "CashuProtocol", "CashuCrypto", "Secp256k1", "Bolt11", "CashewEncoding"]
        ),
        // What the composition root needs to build a store or a payment backend chosen by the settings: one factory
        // value per component, listed once in the server's registry.
        .target(
            name: "CashewMintComponents",
            dependencies: ["CashuMint", "CashewConfig", .product(name: "Logging", package: "swift-log")]
        ),
        // The ledger's SQL migrations (top-level Migrations/), as resources.
        .target(name: "CashewMigrations", path: "Migrations", exclude: ["README.md"], resources: [.copy("sql")]),
        // The SQLite ledger (zero-setup default).
        .target(
            name: "CashewSQLiteStore",
            dependencies: [
                "CashuMint", "CashuCrypto", "CashewEncoding", "CashewMigrations", "CashewSQLite", "CashewMintComponents",
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The PostgreSQL ledger (several mint processes on one database).
        .target(
            name: "CashewPostgresStore",
            dependencies: [
                "CashuMint", "CashuCrypto", "CashuProtocol", "CashewEncoding", "CashewMigrations", "CashewMintComponents",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // A fake Lightning backend that behaves like a node: real signed invoices, configurable outcomes.
        .target(
            name: "FakeLightning",
            dependencies: [
                "CashuMint", "CashuProtocol", "Bolt11", "Secp256k1", "CashewEncoding", "CashewMintComponents",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Lightning through an LNbits wallet (REST).
        .target(
            name: "LNbitsBackend",
            dependencies: [
                "CashuMint", "CashuProtocol", "CashuCrypto", "Bolt11", "CashewMintComponents", "LightningNodeHTTP",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // What the LND and Core Lightning backends share: their REST APIs' HTTPS calls (node certificate, auth header,
        // line-delimited JSON streams), node health, and their JSON numbers.
        .target(
            name: "LightningNodeHTTP",
            dependencies: [
                "CashuMint",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Lightning through an LND node (REST, v0.18 and later).
        .target(
            name: "LNDBackend",
            dependencies: [
                "CashuMint", "CashuProtocol", "CashuCrypto", "Bolt11", "CashewMintComponents", "LightningNodeHTTP",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Lightning through a Core Lightning node (clnrest).
        .target(
            name: "CLNBackend",
            dependencies: [
                "CashuMint", "CashuProtocol", "CashuCrypto", "Secp256k1", "Bolt11", "CashewMintComponents", "LightningNodeHTTP",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The management API: nutshell's gRPC management protocol (Protos/management.proto, kept unchanged; the Swift
        // code in Generated/ is made by scripts/generate-protos.sh and committed), served with mutual TLS.
        .target(
            name: "CashewManagementRPC",
            dependencies: [
                "CashuMint", "CashuProtocol", "CashuCrypto",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Protos"]
        ),
        // Moving a stopped nutshell mint's ledger (SQLite or PostgreSQL) into a Cashew ledger.
        .target(
            name: "NutshellImport",
            dependencies: [
                "CashuMint", "CashuProtocol", "CashuCrypto", "Secp256k1", "CashewEncoding", "Bolt11",
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Layered settings (flags > environment > TOML file) and a strict TOML-subset reader.
        .target(name: "CashewConfig"),
        // The mint's HTTP API (Hummingbird 2), health and metrics, its background services, and the composition
        // root that builds the running mint from settings (the registry of stores and payment backends).
        .target(
            name: "CashewMintServer",
            dependencies: [
                "CashewAudit",
                "CashuMint", "CashuProtocol", "CashuCrypto", "Secp256k1", "CashewEncoding", "CashewConfig", "CashewMintComponents",
                "CashewSQLiteStore", "CashewPostgresStore", "FakeLightning", "LNbitsBackend", "LNDBackend", "CLNBackend",
                "CashewManagementRPC",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // cashew-mint: serve, migrate, keysets, audit.
        .executableTarget(
            name: "CashewMintCLI",
            dependencies: [
                "CashewMintServer", "CashuMint", "CashewAudit", "NutshellImport", "CashewMintComponents", "CashewConfig", "CashuCrypto", "CashewFiles", "CashuProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The same crypto written directly against libsecp256k1 in C: the bench's baseline.
        // SQLite plumbing shared by the mint's SQLite ledger and the wallet: an async mutex, the migrator.
        .target(
            name: "CashewSQLite",
            dependencies: [
                "CashewMigrations", "CashuCrypto",
                .product(name: "SQLiteNIO", package: "sqlite-nio"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The wallet: mint client, storage, operations (never links the server).
        .target(
            name: "CashewWallet",
            dependencies: [
                "CashuCrypto", "CashuProtocol", "CashewEncoding", "Secp256k1", "Bolt11", "CashewSQLite", "CashewMigrations", "CashewNostr",
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                // NUT-17 subscriptions: a websocket client only (no server code).
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // cashew: the wallet's command line.
        .executableTarget(
            name: "CashewWalletCLI",
            dependencies: [
                "CashewQR",
                "CashewWallet", "CashuCrypto", "CashuProtocol", "CashewEncoding", "Secp256k1", "CashewFiles",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(name: "CashewBenchBaseline", dependencies: ["CSecp256k1"]),
        .executableTarget(
            name: "CashewBench",
            dependencies: [
                "CashuCrypto", "CashuProtocol", "CashuMint", "FakeLightning", "Secp256k1", "CashewBenchBaseline", "CashewAudit", "CashewSQLiteStore",
                "CashewEncoding", .product(name: "SQLiteNIO", package: "sqlite-nio"), .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),

        // Tests
        .target(
            name: "TestSupport",
            dependencies: [
                "CashewEncoding", "CashuProtocol", "CashuCrypto", "Secp256k1",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "CashewWalletTests",
            dependencies: ["CashewWallet", "CashewNostr", "CashewQR", "CashuProtocol", "CashuCrypto", "Secp256k1", "CashewEncoding", "Bolt11", "TestSupport"]
        ),
        .testTarget(name: "Bolt11Tests", dependencies: ["Bolt11", "Secp256k1", "CashewEncoding", "TestSupport"]),
        .testTarget(name: "CashewEncodingTests", dependencies: ["CashewEncoding", "TestSupport"]),
        .testTarget(name: "Secp256k1Tests", dependencies: ["Secp256k1", "CashewEncoding"]),
        .testTarget(name: "CashewCBORTests", dependencies: ["CashewCBOR", "CashewEncoding"]),
        .testTarget(name: "CashewConfigTests", dependencies: ["CashewConfig"]),
        .testTarget(
            name: "MintAPITests",
            dependencies: [
                "CashewMintServer", "CashuMint", "CashewAudit", "CashewSQLiteStore", "FakeLightning", "CashuProtocol", "CashuCrypto", "Secp256k1",
                "CashewEncoding", "TestSupport", "Bolt11",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "MintStoreConformanceTests",
            dependencies: [
                "CashuMint", "CashewSQLite", "CashewSQLiteStore", "CashewPostgresStore", "CashuProtocol", "CashuCrypto", "Secp256k1", "CashewEncoding",
                "TestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "MintE2ETests",
            dependencies: [
                "CashuProtocol", "CashuCrypto", "Secp256k1", "Bolt11", "CashewEncoding", "TestSupport",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            ]
        ),
        .testTarget(
            name: "CashuMintTests",
            dependencies: [
                "CashuMint", "CashewAudit", "CashewSQLiteStore", "FakeLightning", "NutshellImport", "CashuProtocol", "CashuCrypto", "Secp256k1", "Bolt11",
                "CashewEncoding", "TestSupport",
            ]
        ),
        .testTarget(
            name: "LightningBackendTests",
            dependencies: [
                "CashewWallet", "CashuProtocol", "CashuCrypto", "CashuMint", "LNbitsBackend", "LNDBackend", "CLNBackend", "CashewSQLiteStore",
                "CashewConfig", "CashewMintComponents", "CashewAudit",
                "Bolt11", "CashewEncoding", "Secp256k1", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "InteropTests",
            dependencies: ["CashuProtocol", "CashuCrypto", "Secp256k1", "CashewEncoding", "TestSupport"]
        ),
        .testTarget(
            name: "CashuProtocolTests",
            dependencies: ["CashuProtocol", "CashuCrypto", "Secp256k1", "CashewCBOR", "CashewEncoding", "TestSupport"]
        ),
        .testTarget(
            name: "CashewNostrTests",
            dependencies: [
                "CashewNostr", "Secp256k1", "CashewEncoding", "TestSupport", .product(name: "Crypto", package: "swift-crypto"),
                // A scripted relay for answers the real one does not give.
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            ]),
        .testTarget(
            name: "CashuCryptoTests",
            dependencies: ["CashuCrypto", "Secp256k1", "CashewEncoding", "TestSupport"]
        ),
    ]
)
