import ArgumentParser
import CurlHTTP
import Logging
import Platform
import RouterApp
import Routing
import ServiceLifecycle
import TritonClient

/// `router`: a KServe v2 endpoint that spreads each model's traffic over Triton backends.
@main
struct RouterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "router",
        abstract: "Route KServe v2 inference over Triton backends with health checks, breakers and canaries.")

    @Option(name: .long, help: "YAML configuration file (keys under `router.`); the environment overrides any key.")
    var config: String?

    func run() async throws {
        let process = try await ProcessBootstrap.start(configFile: config, label: "router")
        let (reader, registry, logger) = (process.config, process.registry, process.logger)

        let settings = RouterSettings(config: reader)
        let transport = CurlHTTPTransport()
        do {
            let parts = try RouterApplication.build(
                settings: settings, connector: TritonConnector(transport: transport), registry: registry, logger: logger
            )
            let group = ServiceGroup(
                configuration: .init(
                    // The trace exporter first: it stops last, after the spans of the last requests.
                    services: ([process.tracing].compactMap { $0 } + parts.services).map { .init(service: $0) },
                    gracefulShutdownSignals: [.sigterm, .sigint],
                    logger: logger))
            logger.info("router.starting", metadata: ["listen.port": "\(settings.port)"])
            do {
                try await group.run()
            } catch {
                await parts.shutdown()
                throw error
            }
            await parts.shutdown()
        } catch {
            await transport.shutdown()
            throw error
        }
        await transport.shutdown()
    }
}
