import CFuzzerDriver
import Foundation

/// The entry point of every fuzz target.
///
/// SwiftPM links each executable with its own `main` (the module's `@main`), so libFuzzer's `main`
/// is not used: the target's `@main` calls ``run(_:)``, which hands the arguments to libFuzzer's driver.
public enum FuzzerMain {
    /// Runs libFuzzer with the process arguments over `testOneInput`, and exits with its status.
    public static func run(_ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
    }
}
