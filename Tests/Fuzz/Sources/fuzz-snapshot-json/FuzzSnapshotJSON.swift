// Snapshot decoder, JSON: arbitrary bytes as an `oc get -o json` file (the bytes path of
// JSONByteReader, as YAML and tests use it; the file path shares the parser), then the
// decoded records through the pruner and the reports.
import FuzzSupport
@testable import PruneDoctor

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var snapshot = Snapshot()
    // Half the inputs take the loader's way: strings appended as read, merged afterwards.
    let deferred = size > 0 && data[size - 1] & 1 == 1
    if deferred { snapshot.strings.deferLookups() }
    do {
        try SnapshotDecoder(reader: JSONByteReader(bytes: bytes), file: "fuzz.json", namespaceFilter: nil)
            .decode(into: &snapshot)
        if deferred { snapshot.finishInterning() }
    } catch is SnapshotError {
        return 0 // refused with a message: the expected outcome for most inputs
    } catch {
        preconditionFailure("the decoder let a non-SnapshotError escape: \(error)")
    }
    exercisePlan(snapshot)
    return 0
}
