// Snapshot decoder, YAML: arbitrary bytes through the YAML → JSON conversion (with its
// alias-bomb bound) and the decoder, then the records through the pruner and the reports.
import Foundation
import FuzzSupport
@testable import PruneDoctor

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Data(bytes: data, count: size)
    var snapshot = Snapshot()
    do {
        // A smaller node budget than the CLI's keeps each input fast; the bound is the same code.
        let json = try SnapshotLoader.yamlToJSON(input, file: "fuzz.yaml", maxNodes: 200_000)
        try SnapshotDecoder(reader: JSONByteReader(bytes: json), file: "fuzz.yaml", namespaceFilter: nil)
            .decode(into: &snapshot)
    } catch is SnapshotError {
        return 0
    } catch {
        preconditionFailure("the YAML path let a non-SnapshotError escape: \(error)")
    }
    exercisePlan(snapshot)
    return 0
}
