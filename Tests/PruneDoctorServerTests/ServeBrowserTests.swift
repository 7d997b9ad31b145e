import Foundation
import Testing
@testable import PruneDoctorServer

/// Real-browser tests: Tests/Browser/serve_browser_test.py drives Debian's chromium through
/// chromedriver against an in-process server. `.ci/run` installs them and sets
/// PRUNEDOC_REQUIRE_BROWSER, so there a missing browser fails instead of skipping.
@Suite(.timeLimit(.minutes(5))) struct ServeBrowserTests {
    static let tools = ["/usr/bin/chromium", "/usr/bin/chromedriver", "/usr/bin/python3"]
    static var installed: Bool {
        tools.allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
            && FileManager.default.fileExists(atPath: "/usr/lib/python3/dist-packages/selenium")
    }
    static var required: Bool { ProcessInfo.processInfo.environment["PRUNEDOC_REQUIRE_BROWSER"] != nil }

    @Test(.enabled(if: installed || required, "needs chromium, chromium-driver and python3-selenium"))
    func pasteFollowUploadAndHostileInputInChromium() async throws {
        #expect(Self.installed, "chromium, chromium-driver or python3-selenium is missing")
        let server = try await RunningServer.start()
        defer { Task { await server.stop() } }
        let archive = try Fixtures.docArchive()
        let mustGather = try await Fixtures.tar(Fixtures.mustGather.appendingPathComponent("x509-failed").path, flag: "z", ext: "tar.gz")
        let shots = try ProcessInfo.processInfo.environment["PRUNEDOC_SCREENSHOTS"] ?? Fixtures.tempDir("shots").path
        let script = Fixtures.root.appendingPathComponent("Tests/Browser/serve_browser_test.py").path
        let aggregate = Fixtures.scenarios.appendingPathComponent("doc-aggregate-x509-and-alert/input.txt").path
        let port = server.port
        let (status, output) = try await offPool { () -> (Int32, String) in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            p.arguments = [script, "http://127.0.0.1:\(port)", archive.path, aggregate, shots, mustGather.path]
            let out = Pipe()
            p.standardOutput = out
            p.standardError = out
            try p.run()
            let killer = DispatchWorkItem { if p.isRunning { p.terminate() } }
            DispatchQueue.global().asyncAfter(deadline: .now() + 240, execute: killer)
            let data = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            killer.cancel()
            return (p.terminationStatus, String(decoding: data, as: UTF8.self))
        }
        #expect(status == 0, "\(output)")
        #expect(output.contains(" passed, 0 failed"), "\(output)")
        #expect(!output.contains("FAIL"), "\(output)")
        for name in ["serve-home", "serve-result", "serve-runbook", "serve-why", "serve-doctor", "serve-hostile"] {
            #expect(FileManager.default.fileExists(atPath: "\(shots)/\(name).png"), "\(name)")
        }
    }
}
