import Foundation

/// The Python test oracles in the venv that `make venv` and `make oracle` build (FLOWMAP_VENV, else `.venv` in the
/// repository): kubernetes-validate, jsonschema (FlowMap's output schemas, the Cilium and network-policy-api CRDs),
/// PyYAML, `ipaddress` and network-config-analyzer. Every test that needs one lives in Tests/OracleTests and runs
/// it through here. A missing oracle throws `Oracle.Missing` naming the command that installs it: the test fails,
/// it never skips.
public enum Oracle {
    public struct Missing: Error, CustomStringConvertible {
        public var description: String
    }

    public static var venv: URL { Repository.venv }

    /// `venv/bin/<name>` when it is executable, else `Missing` with the make target that installs it.
    public static func tool(_ name: String, install: String = "make venv") throws -> String {
        let exe = venv.appendingPathComponent("bin/\(name)").path
        guard FileManager.default.isExecutableFile(atPath: exe) else {
            throw Missing(description: "\(name) not found at \(exe): run `\(install)` (make test does it) or set FLOWMAP_VENV")
        }
        return exe
    }

    /// The venv's python with `args`; exit status and combined output.
    public static func python(_ args: [String], stdin: String? = nil) throws -> (Int32, String) {
        let r = try ProcessRunner.run(try tool("python"), args, stdin: stdin)
        return (r.status, r.output)
    }

    /// Validates each (schema, document) pair with jsonschema, Draft 2020-12, formats checked; a document file whose
    /// name ends in `.jsonl` is validated line by line. Nonzero with one line per error (`document [path] message`);
    /// the last line is `N checked, M errors` (N: documents, JSON Lines records counted one each).
    public static func jsonSchema(_ pairs: [(schema: String, document: String)]) throws -> (Int32, String) {
        let code = """
            import json, sys, jsonschema
            bad = n = 0
            args = sys.argv[1:]
            for schema_path, doc_path in zip(args[0::2], args[1::2]):
                schema = json.load(open(schema_path))
                jsonschema.Draft202012Validator.check_schema(schema)
                v = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
                docs = [json.loads(l) for l in open(doc_path) if l.strip()] if doc_path.endswith(".jsonl") else [json.load(open(doc_path))]
                for i, doc in enumerate(docs):
                    n += 1
                    for e in v.iter_errors(doc):
                        bad += 1
                        print(doc_path + (":%d" % (i + 1) if doc_path.endswith(".jsonl") else ""), list(e.absolute_path), e.message)
            print(n, "checked,", bad, "errors")
            sys.exit(1 if bad else 0)
            """
        return try python(["-c", code] + pairs.flatMap { [$0.schema, $0.document] })
    }

    /// `kubernetes-validate --strict` for one Kubernetes version over `files`.
    public static func kubernetesValidate(_ files: [String], version: String) throws -> (Int32, String) {
        let r = try ProcessRunner.run(try tool("kubernetes-validate"), ["--strict", "--quiet", "-k", version] + files)
        return (r.status, r.output)
    }

    /// The CiliumNetworkPolicy v2 JSON schema: FLOWMAP_CILIUM_SCHEMA, else the copy under Tests/EmitTests/Fixtures
    /// (from the project's shared/schemas/cilium, see its SOURCES.md).
    public static var ciliumSchema: String {
        if let s = ProcessInfo.processInfo.environment["FLOWMAP_CILIUM_SCHEMA"] { return s }
        return Repository.fixtures("EmitTests", "cilium-schema/ciliumnetworkpolicy.v2.schema.json").path
    }

    /// `scripts/validate-cilium.py` (jsonschema, strict) over `files`; its summary line is `N valid, M invalid`.
    /// `allowMissingNamespace`: documents without `metadata.namespace` (upstream examples) are not refused for it.
    public static func ciliumValidate(_ files: [String], allowMissingNamespace: Bool = false) throws -> (Int32, String) {
        guard FileManager.default.fileExists(atPath: ciliumSchema) else {
            throw Missing(description: "Cilium schema not found at \(ciliumSchema) (set FLOWMAP_CILIUM_SCHEMA)")
        }
        return try python([Repository.url("scripts/validate-cilium.py").path, "--schema", ciliumSchema]
                          + (allowMissingNamespace ? ["--allow-missing-namespace"] : []) + files)
    }

    /// `scripts/validate-network-policy-api.py --channel <channel>` (the CRDs in schema/crds/network-policy-api)
    /// over `files`: a line per document (`FILE[i] Kind name: valid` / `: invalid: ...`), then `N valid, M invalid`.
    public static func networkPolicyAPIValidate(channel: String, _ files: [String]) throws -> (Int32, String) {
        try python([Repository.url("scripts/validate-network-policy-api.py").path, "--channel", channel] + files)
    }

    /// PyYAML (a YAML 1.1 reader, like the ones kubectl and GitOps tools use) parses `yaml` into JSON.
    public static func pyYAMLAsJSON(_ yaml: String) throws -> Any {
        let code = "import sys, json, yaml; print(json.dumps(list(yaml.safe_load_all(sys.stdin.read()))))"
        let (status, out) = try python(["-c", code], stdin: yaml)
        guard status == 0 else { throw Missing(description: "PyYAML failed: \(out)") }
        return try JSONSerialization.jsonObject(with: Data(out.utf8))
    }

    /// network-config-analyzer (`nca`, `make oracle`), driven by scripts/nca_batch.py.
    public enum NCA {
        public static var executable: URL { Oracle.venv.appendingPathComponent("bin/nca") }

        /// Runs every case (YAML text) through `scripts/nca_batch.py`, one forked NCA run per case (NCA keeps global
        /// state between the configs of one scheme run, so cases must not share a process). Returns each case's
        /// `txt_no_fw_rules` output. The cases, outputs and logs stay in `workDir`.
        public static func run(cases: [String], workDir: URL) throws -> [String] {
            guard FileManager.default.isExecutableFile(atPath: executable.path) else {
                throw Missing(description: "network-config-analyzer is not installed at \(executable.path): run `make oracle`")
            }
            let fm = FileManager.default
            try? fm.removeItem(at: workDir)
            try fm.createDirectory(at: workDir, withIntermediateDirectories: true)
            for (i, text) in cases.enumerated() {
                try text.write(to: workDir.appendingPathComponent("case\(i).yaml"), atomically: true, encoding: .utf8)
            }
            let script = Repository.url("scripts/nca_batch.py").path
            let (status, output) = try python([script, workDir.path])
            guard status == 0 else { throw Missing(description: "\(script) exited with \(status): \(output.suffix(2000))") }
            return try cases.indices.map { i in
                let f = workDir.appendingPathComponent("out\(i).txt")
                guard let text = try? String(contentsOf: f, encoding: .utf8) else {
                    let log = workDir.appendingPathComponent("nca\(i).log")
                    let tail = (try? String(contentsOf: log, encoding: .utf8)).map { String($0.suffix(2000)) } ?? ""
                    throw Missing(description: "nca wrote no output for case \(i); log tail:\n\(tail)")
                }
                return text
            }
        }
    }
}
