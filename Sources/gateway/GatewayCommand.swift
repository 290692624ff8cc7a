import ArgumentParser
import CurlHTTP
import Gateway
import Logging
import Platform
import ObjectStore
import Routing
import TritonClient

/// `gateway`: the public front door — authentication, rate limits and validation before a
/// KServe v2 upstream (the router).
@main
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Serve the public inference API: JWT and API-key auth, Redis rate limits, validation, forwarding.")

    @Option(name: .long, help: "YAML configuration file (keys under `gateway.`); the environment overrides any key.")
    var config: String?

    func run() async throws {
        let process = try await ProcessBootstrap.start(configFile: config, label: "gateway")
        let (reader, registry, logger) = (process.config, process.registry, process.logger)

        let settings = GatewaySettings(config: reader)
        let transport = CurlHTTPTransport(configuration: .init(maxConnectionsPerHost: 64, maxCachedConnections: 128))
        do {
            var gateway = try await GatewayApplication.build(
                settings: settings, routerSettings: RouterSettings(config: reader),
                connector: TritonConnector(transport: transport), storage: S3Connector(transport: transport),
                registry: registry, logger: logger)
            if let tracing = process.tracing { gateway.application.addServices(tracing) }
            logger.info("gateway.starting", metadata: ["listen.port": "\(settings.port)"])
            do {
                try await gateway.application.runService()
            } catch {
                await gateway.shutdown()
                throw error
            }
            await gateway.shutdown()
        } catch {
            await transport.shutdown()
            throw error
        }
        await transport.shutdown()
    }
}
