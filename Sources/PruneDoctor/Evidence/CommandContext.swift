/// Which client a pasted terminal session ran: `$ docker push …` or docker's own progress lines
/// name the program whose errors follow, even when the error line itself (a bare
/// `Get "https://…": x509: …`) carries no wrapper that says so.
enum CommandContext {
    /// Literal anchors that make such lines candidates for the scanner.
    static let anchors = [
        "docker push", "docker pull", "docker login", "podman push", "podman pull", "podman login",
        "skopeo copy", "skopeo inspect", "skopeo login", "skopeo sync", "buildah push", "buildah pull", "buildah bud",
        "buildah from", "$ curl ", "# curl ", "oc adm prune", "The push refers to",
    ]

    static let programs: [(String, ClientKind)] = [
        ("docker", .docker), ("podman", .containersImage), ("skopeo", .containersImage), ("buildah", .containersImage),
        ("curl", .curl), ("oc", .oc), ("kubectl", .kubectl), ("openssl", .openssl),
    ]

    /// The client a command line or a client's progress line names; nil for other lines.
    static func client(of line: String) -> ClientKind? {
        // docker's push progress, in its current and its older wording.
        if line.hasPrefix("The push refers to repository [") || line.hasPrefix("The push refers to a repository [") { return .docker }
        // A shell prompt ends in "$ " or "# " within its first 120 bytes, right after the prompt's
        // own text (`~$`, `]#`) or at the line's start; a pasted command may have none.
        let bytes = Array(line.utf8)
        let head = bytes.prefix(120)
        let k = head.indices.dropLast().last { i in
            (head[i] == UInt8(ascii: "$") || head[i] == UInt8(ascii: "#")) && head[i + 1] == UInt8(ascii: " ")
                && (i == 0 || head[i - 1] != UInt8(ascii: " "))
        }
        // The command's first word (the one after `sudo`), read on bytes: words end at spaces.
        var i = k.map { $0 + 2 } ?? 0
        func word() -> ArraySlice<UInt8>? {
            while i < bytes.count, bytes[i] == 0x20 { i += 1 }
            guard i < bytes.count else { return nil }
            let start = i
            while i < bytes.count, bytes[i] != 0x20 { i += 1 }
            return bytes[start..<i]
        }
        guard var first = word() else { return nil }
        if first.elementsEqual("sudo".utf8) {
            guard let next = word() else { return nil }
            first = next
        }
        guard let program = first.split(separator: UInt8(ascii: "/")).last else { return nil }
        return programs.first { $0.0.utf8.elementsEqual(program) }?.1
    }
}
