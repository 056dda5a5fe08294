import Testing
@testable import FlowStore

/// The SQL text of every `BulkInsert` the store writes with, pinned letter for letter: the declarations are built
/// by constructors (`BulkInsert.counting`), and a change there must not change a statement either backend runs
/// (issue 21). Expected texts written out from the statements as they stood before the constructors.
@Suite("BulkInsert SQL")
struct BulkInsertSQLTests {
    static let expected: [(String, BulkInsert, String)] = [
        ("FlowStore.upsertNamespaces", FlowStore.upsertNamespaces, """
            INSERT INTO namespaces (name, labels, observed)
            VALUES (?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET labels = excluded.labels, observed = excluded.observed
            WHERE excluded.observed > namespaces.observed
               OR (excluded.observed = namespaces.observed AND excluded.labels > namespaces.labels)
            """),
        ("FlowStore.upsertL7Rows", FlowStore.upsertL7Rows, """
            INSERT INTO edge_bucket_l7 (src, dst, proto, port, outcome, bucket, kind, method, path, source_id, flows, first_seen, last_seen)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (src, dst, proto, port, outcome, bucket, kind, method, path, source_id) DO UPDATE SET
              flows = CASE WHEN excluded.flows > 9223372036854775807 - edge_bucket_l7.flows THEN 9223372036854775807 ELSE edge_bucket_l7.flows + excluded.flows END,
              first_seen = CASE WHEN excluded.first_seen < edge_bucket_l7.first_seen THEN excluded.first_seen ELSE edge_bucket_l7.first_seen END,
              last_seen = CASE WHEN excluded.last_seen > edge_bucket_l7.last_seen THEN excluded.last_seen ELSE edge_bucket_l7.last_seen END
            """),
        ("FlowStore.upsertListeningPorts", FlowStore.upsertListeningPorts, """
            INSERT INTO listening_ports (endpoint_id, proto, port, flows)
            VALUES (?, ?, ?, ?)
            ON CONFLICT (endpoint_id, proto, port) DO UPDATE SET
              flows = CASE WHEN excluded.flows > 9223372036854775807 - listening_ports.flows THEN 9223372036854775807 ELSE listening_ports.flows + excluded.flows END
            """),
        ("FlowStore.upsertBucketPoints", FlowStore.upsertBucketPoints, """
            INSERT INTO edge_bucket_points (src, dst, proto, port, outcome, bucket, point, source_id, flows, first_seen, last_seen)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (src, dst, proto, port, outcome, bucket, point, source_id) DO UPDATE SET
              flows = CASE WHEN excluded.flows > 9223372036854775807 - edge_bucket_points.flows THEN 9223372036854775807 ELSE edge_bucket_points.flows + excluded.flows END,
              first_seen = CASE WHEN excluded.first_seen < edge_bucket_points.first_seen THEN excluded.first_seen ELSE edge_bucket_points.first_seen END,
              last_seen = CASE WHEN excluded.last_seen > edge_bucket_points.last_seen THEN excluded.last_seen ELSE edge_bucket_points.last_seen END
            """),
        ("FlowStore.insertDropReasons", FlowStore.insertDropReasons, """
            INSERT INTO edge_bucket_drop_reasons (src, dst, proto, port, outcome, bucket, reason, source_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT DO NOTHING
            """),
        ("FlowStore.insertFacts[0]", FlowStore.insertFacts[0], """
            INSERT INTO source_label_sets (endpoint_id, labels, source_id)
            VALUES (?, ?, ?)
            ON CONFLICT DO NOTHING
            """),
        ("FlowStore.insertFacts[1]", FlowStore.insertFacts[1], """
            INSERT INTO source_addresses (endpoint_id, address, source_id)
            VALUES (?, ?, ?)
            ON CONFLICT DO NOTHING
            """),
        ("FlowStore.insertFacts[2]", FlowStore.insertFacts[2], """
            INSERT INTO source_names (endpoint_id, name, source_id)
            VALUES (?, ?, ?)
            ON CONFLICT DO NOTHING
            """),
        ("FlowStore.insertFacts[3]", FlowStore.insertFacts[3], """
            INSERT INTO source_services (endpoint_id, service, source_id)
            VALUES (?, ?, ?)
            ON CONFLICT DO NOTHING
            """),
        ("FlowStore.insertEndpoints", FlowStore.insertEndpoints, """
            INSERT INTO endpoints (kind, namespace, name, workload_kind, cluster)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT DO NOTHING
            """),
        ("FlowStore.upsertUnmappedRows", FlowStore.upsertUnmappedRows, """
            INSERT INTO unmapped_flows (src, dst, proto, port, outcome, bucket, point, source_id, src_ip, dst_ip, sides, flows, first_seen, last_seen)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (src, dst, proto, port, outcome, bucket, point, source_id, src_ip, dst_ip) DO UPDATE SET
              flows = CASE WHEN excluded.flows > 9223372036854775807 - unmapped_flows.flows THEN 9223372036854775807 ELSE unmapped_flows.flows + excluded.flows END,
              first_seen = CASE WHEN excluded.first_seen < unmapped_flows.first_seen THEN excluded.first_seen ELSE unmapped_flows.first_seen END,
              last_seen = CASE WHEN excluded.last_seen > unmapped_flows.last_seen THEN excluded.last_seen ELSE unmapped_flows.last_seen END
            """),
        ("FlowStore.insertSeen", FlowStore.insertSeen, """
            INSERT INTO seen_flows (k1, k2, time)
            VALUES (?, ?, ?)
            ON CONFLICT DO NOTHING
            """),
        ("BucketRefresh.upsertRows", BucketRefresh.upsertRows, """
            INSERT INTO edge_buckets (src, dst, proto, port, outcome, bucket, flows, first_seen, last_seen)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (src, dst, proto, port, outcome, bucket) DO UPDATE SET
              flows = excluded.flows, first_seen = excluded.first_seen, last_seen = excluded.last_seen
            """),
        ("BucketRefresh.lockRows", BucketRefresh.lockRows, """
            INSERT INTO edge_buckets (src, dst, proto, port, outcome, bucket, flows, first_seen, last_seen)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (src, dst, proto, port, outcome, bucket) DO UPDATE SET flows = edge_buckets.flows
            """),
    ]

    @Test("each declaration's one-row statement is the text it always was")
    func oneRowStatements() {
        for (name, spec, sql) in Self.expected {
            #expect(spec.sql == sql, "\(name)")
        }
    }

    @Test("the PostgreSQL array statement ends in the same conflict clause")
    func unnestStatements() {
        for (name, spec, sql) in Self.expected {
            let types = spec.columns.map { _ in "bigint[]" }
            let conflict = sql.split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false)[2]
            #expect(spec.unnestSQL(types: types).hasSuffix("ORDER BY bulk_row\n" + conflict), "\(name)")
        }
    }
}
