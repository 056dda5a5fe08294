#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import FlowIngest
import FlowModel
import FlowStore
import HubbleLive

public typealias HubbleFeedOptions = HubbleLive.HubbleFeedOptions
public typealias HubbleFeedReport = HubbleLive.HubbleFeedReport
public typealias HubbleTLS = HubbleLive.HubbleTLS

/// Hubble over gRPC as a stream: the feed writes `hubble observe -o jsonpb` lines into a pipe that the ingest
/// driver reads like stdin, so batches, errors and evaluation are the same as for `hubble observe | flowmap -`.
public enum Live {
    /// Runs `body` with the read end of a running feed and the stream's name; afterwards the feed is stopped
    /// (if `body` ended first: a stop request) and its report returned. `stopAfter` seconds: the feed ends
    /// then (its output closes, so `body`'s read ends as at the end of a stream).
    public static func withHubble<R>(_ o: HubbleFeedOptions, stopAfter: Double? = nil,
                                     _ body: (Int32, String) throws -> R) throws
        -> (result: R, feed: HubbleFeedReport) {
        let fds: [Int32]
        switch ClosingPipe.open() {
        case .success(let p): fds = [p.read, p.write]
        case .failure(let e): throw PolicyInputs.Failure(description: e.description)
        }
        let feed: HubbleFeed
        do {
            feed = try HubbleFeed.start(o, output: fds[1])
        } catch {
            close(fds[0])
            close(fds[1])
            throw PolicyInputs.Failure(description: error.description)
        }
        if let seconds = stopAfter {
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { feed.cancel() }
        }
        let name = "hubble \(o.address)" + (o.nodes ? " (nodes)" : "")
        let result: Result<R, any Error> = Result { try body(fds[0], name) }
        feed.cancel()
        close(fds[0])  // a feed blocked writing to a reader that stopped gets EPIPE and ends
        let report = feed.wait()
        return (try result.get(), report)
    }

    /// `flowmap ingest --hubble`: the feed into the store, batch by batch as for stdin.
    public static func ingest(_ hubble: HubbleFeedOptions, options: Ingest.Options, stopDescriptor: Int32 = -1,
                              onIssue: (InputIssue) -> Void) throws -> (report: Ingest.Report, feed: HubbleFeedReport) {
        let store = try FlowStore(path: options.db)
        let inventory = try store.inventory()
        let (files, feed) = try withHubble(hubble) { fd, name -> Ingest.FileReport in
            var driver = IngestDriver(batchFlows: options.batchFlows, progress: .off)
            driver.listening = FlowAggregator.ListeningPort.declared(by: inventory)
            driver.stdinDescriptor = fd
            driver.stdinName = name
            driver.stopDescriptor = stopDescriptor
            var counts = IngestCounts()
            _ = try Ingest.read(path: "-", format: .hubble, book: nil, driver: driver, onIssue: onIssue) { chunk, fmt in
                _ = try store.write(chunk.batch, counts: chunk.counts, path: name, format: fmt, contentHash: nil,
                                    now: Clock.nowNanos())
                counts.add(chunk.counts)
            }
            return Ingest.FileReport(path: name, format: .hubble, detection: nil, counts: counts, duplicateOf: nil)
        }
        var report = Ingest.Report()
        report.files = [files]
        report.failures = feed.failures
        // In the report too, so `-o json` says what the feed lost and how it was read (not only stderr).
        report.notes = notes(feed)
        report.lostEvents = feed.lostEvents
        return (report, feed)
    }

    /// Lines for stderr about a feed: lost events, reconnects, node status, servers read.
    public static func notes(_ f: HubbleFeedReport) -> [String] {
        var out = f.notes
        if f.servers.count > 1 { out.append("read \(f.servers.count) Hubble servers: \(f.servers.sorted().joined(separator: ", "))") }
        if f.reconnects > 0 { out.append("reconnected \(f.reconnects) time(s), resuming from the last flow's time") }
        if f.lostEvents > 0 {
            let by = f.lostBySource.keys.sorted().map { "\($0): \(f.lostBySource[$0]!)" }.joined(separator: ", ")
            out.append("Hubble lost \(f.lostEvents) event(s) before sending them (\(by)): those flows were never seen; "
                       + "raise Hubble's buffer (hubble.eventBufferCapacity / eventQueueSize) or read per node "
                       + "(--hubble-nodes)")
        }
        return out
    }
}
