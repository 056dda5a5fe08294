import Foundation
import Testing
@testable import Policy

@Suite struct ManifestReaderTests {
    @Test func multiDocumentYAMLLocatesIssuesByFileDocumentAndPath() {
        let text = """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: x}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: ok, namespace: a}
            spec: {podSelector: {}}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: bad, namespace: a}
            spec:
              podSelector: {}
              ingress:
              - from:
                - {}
            """
        let set = ManifestReader.parse(text: text, file: "p.yaml")
        #expect(set.policies.map(\.name) == ["ok"])
        #expect(set.skipped == ["ConfigMap": 1])
        #expect(set.issues.count == 1)
        let i = set.issues[0]
        #expect(i.file == "p.yaml" && i.document == 2 && i.path == "spec.ingress[0].from[0]" && i.line == 17)
        #expect(i.description == "p.yaml:17: document 2: NetworkPolicy a/bad: spec.ingress[0].from[0]: Required value: must specify a peer")
    }

    @Test func kubectlListOutputAndJSON() {
        let list = """
            apiVersion: v1
            kind: List
            items:
            - apiVersion: v1
              kind: Namespace
              metadata: {name: a, labels: {team: x}}
            - apiVersion: networking.k8s.io/v1
              kind: NetworkPolicy
              metadata: {name: p, namespace: a}
              spec: {podSelector: {}, ingress: [{ports: [{port: 0}]}]}
            - apiVersion: v1
              kind: Pod
              metadata: {name: w, namespace: a, labels: {app: w}}
              status: {podIP: 10.1.1.1, podIPs: [{ip: 10.1.1.1}, {ip: "fd00::1"}]}
            """
        let set = ManifestReader.parse(text: list, file: "l.yaml")
        #expect(set.namespaces["a"]?.labels == ["team": "x", "kubernetes.io/metadata.name": "a"])
        #expect(set.issues.map(\.path) == ["items[1].spec.ingress[0].ports[0].port"])
        #expect(set.pods.first?.ips.map(\.description) == ["10.1.1.1", "fd00::1"])
        let json = #"{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"j","namespace":"b"},"spec":{"podSelector":{"matchLabels":{"app":"x"}},"policyTypes":["Egress"],"egress":[{"to":[{"ipBlock":{"cidr":"10.0.0.0/8"}}],"ports":[{"port":"dns","protocol":"UDP"}]}]}}"#
        let j = ManifestReader.parse(text: json, file: "j.json")
        #expect(j.issues.isEmpty)
        #expect(j.policies.first?.egress.first?.ports == [NetworkPolicyPort(proto: .udp, port: .name("dns"))])
    }

    @Test func unknownFieldsAndWrongVersionsAreRejected() {
        let typo = issues(np("a", "podselector: {}"))
        #expect(typo.map(\.path) == ["spec.podselector"])
        let beta = issues("apiVersion: extensions/v1beta1\nkind: NetworkPolicy\nmetadata: {name: x}\nspec: {}")
        #expect(beta.map(\.path) == ["apiVersion"])
        let syntax = ManifestReader.parse(text: "a: [", file: "s.yaml")
        #expect(syntax.issues.count == 1 && syntax.issues[0].message.hasPrefix("YAML syntax error"))
    }

    @Test func foldersAreReadRecursively() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flowmap-reader-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("sub/.hidden"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try np("a", "one", "podSelector: {}").write(to: dir.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        try np("a", "two", "podSelector: {}").write(to: dir.appendingPathComponent("sub/b.yml"), atomically: true, encoding: .utf8)
        try np("a", "three", "podSelector: {}").write(to: dir.appendingPathComponent("sub/.hidden/c.yaml"), atomically: true, encoding: .utf8)
        try "not yaml".write(to: dir.appendingPathComponent("sub/readme.txt"), atomically: true, encoding: .utf8)
        let set = try ManifestReader.read(path: dir.path)
        #expect(set.policies.map(\.name) == ["one", "two"])
        #expect(set.files == 2)
        #expect(throws: ManifestIssue.self) { try ManifestReader.read(path: dir.appendingPathComponent("missing").path) }
    }
}

@Suite struct LargeManifestTests {
    /// Texts over 256 KiB are split at document markers and parsed in parallel: indexes and lines must be
    /// the same as a sequential parse.
    @Test func parallelParseKeepsDocumentIndexesAndLines() {
        var docs: [String] = []
        for i in 0..<3000 { docs.append(np("ns\(i % 10)", "p\(i)", "podSelector: {matchLabels: {app: a\(i)}}\ningress: [{ports: [{port: 80}]}]")) }
        docs[2500] = np("ns0", "bad", "podSelector: {}\ningress: [{from: [{}]}]")
        let text = docs.joined(separator: "\n---\n") + "\n"
        #expect(text.utf8.count > 300_000)
        #expect(YAMLDocumentLoader.split(text).count > 1)
        let set = ManifestReader.parse(text: text, file: "big.yaml")
        #expect(set.policies.count == 2999)
        #expect(set.policies.map(\.name).prefix(3) == ["p0", "p1", "p2"])
        // Reference: one sequential parse of the whole text.
        var reference = ManifestSet()
        var decoder = ManifestDecoder(file: "big.yaml")
        for d in YAMLDocumentLoader.parse(text, lineOffset: 0).docs { decoder.decode(document: d.index, d.node, into: &reference) }
        #expect(set.issues.count == 1)
        #expect(set.issues.first?.document == 2500)
        #expect(set.issues == reference.issues)
        #expect(set.policies.map(\.location) == reference.policies.map(\.location))
        let badLine = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("from: [{}]") }! + 1
        #expect(set.issues.first?.line == badLine)
        #expect(set.policies[2999 - 1].location?.document == 2999)
    }
}
