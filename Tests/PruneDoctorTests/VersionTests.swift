import Testing
@testable import PruneDoctor

@Suite struct VersionTests {
    @Test func openSSLIsLinkedAndReportsItsVersion() {
        #expect(ToolVersion.openSSL.hasPrefix("OpenSSL "))
    }
}
