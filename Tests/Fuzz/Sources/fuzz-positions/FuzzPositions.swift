// `why IMAGE --positions FILE`: arbitrary text through the positions parser, then the
// explainer's JSON and text with a --keep-tag-revisions taken from the input's first byte
// (0…31, or near Int.max: the CLI takes any non-negative Int).
import PruneDoctor

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let keep = data[0] >= 0xF0 ? Int.max - Int(data[0] & 0x0F) : Int(data[0] & 0x1F)
    let text = String(decoding: UnsafeBufferPointer(start: data + 1, count: size - 1), as: UTF8.self)
    let lines: [PositionsExplainer.Line]
    do {
        lines = try PositionsExplainer.parse(text)
    } catch let e as PositionsExplainer.ParseError {
        precondition(!e.problems.isEmpty, "a parse error without a problem")
        return 0
    } catch {
        preconditionFailure("the parser threw something else: \(error)")
    }
    precondition(!lines.isEmpty)
    let explainer = PositionsExplainer(lines: lines, keepTagRevisions: keep)
    _ = explainer.json(image: "sha256:0").serialized()
    _ = explainer.text(image: "sha256:0")
    _ = explainer.text(image: "sha256:0", markdown: true)
    return 0
}
