import Foundation

/// Threads of their own for the in-process fake servers. Swift's cooperative pool has one thread per core (two
/// here), and in the full suite other suites hold them while they wait on child processes; a fake server whose
/// handlers run there can go unanswered for a whole `collect --duration` (CollectHubbleTests failed that way in
/// CI and passed alone). A task started with this executor as its preference, and its child tasks, run here.
final class ServerThreads: TaskExecutor, @unchecked Sendable {
    static let shared = ServerThreads(threads: 4)

    private let condition = NSCondition()
    /// Guarded by `condition`.
    private var jobs: [UnownedJob] = []
    private var head = 0

    init(threads: Int) {
        for i in 0..<threads {
            let t = Thread { [self] in self.loop() }
            t.name = "fake-server-\(i)"
            t.stackSize = 8 << 20
            t.start()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        condition.lock()
        jobs.append(unowned)
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while head == jobs.count { condition.wait() }
            let job = jobs[head]
            head += 1
            if head > 1024 && head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
