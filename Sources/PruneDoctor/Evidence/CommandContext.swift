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
        let head = Array(line.utf8.prefix(120))
        let k = head.indices.dropLast().last { i in
            (head[i] == UInt8(ascii: "$") || head[i] == UInt8(ascii: "#")) && head[i + 1] == UInt8(ascii: " ")
                && (i == 0 || head[i - 1] != UInt8(ascii: " "))
        }
        let rest = k.map { String(decoding: line.utf8.dropFirst($0 + 2), as: UTF8.self) } ?? line
        var words = rest.split(separator: " ", maxSplits: 3).map(String.init)
        if words.first == "sudo" { words.removeFirst() }
        guard let program = words.first?.split(separator: "/").last.map(String.init) else { return nil }
        return programs.first { $0.0 == program }?.1
    }
}
